// Running a shell command in a directory, with its output as it arrives, and a way to stop it.
import { spawn } from "node:child_process";

export interface ShellResult {
  output: string;
  exitCode: number | null;
  aborted: boolean;
}

/** The longest single argument Linux passes to a program (MAX_ARG_STRLEN, with its NUL): longer fails with E2BIG. */
export const MAX_COMMAND_BYTES = 128 * 1024 - 1;

/** A command too long to hand to the shell as one argument. */
export class ShellCommandTooLongError extends Error {
  constructor(readonly bytes: number) {
    super(`The command is ${bytes} bytes long; the most a shell can be given is ${MAX_COMMAND_BYTES} bytes`);
  }
}

/** Throws ShellCommandTooLongError for a command the shell cannot be started with. */
export function assertRunnableCommand(command: string): void {
  const bytes = Buffer.byteLength(command, "utf8");
  if (bytes > MAX_COMMAND_BYTES) throw new ShellCommandTooLongError(bytes);
}

export function userShell(env: NodeJS.ProcessEnv = process.env): string {
  return env.SHELL || "/bin/bash";
}

/** Runs `command` with `shell -c` in `cwd`; stdout and stderr interleaved, as a terminal shows them. */
export function runShellCommand(
  command: string,
  options: { cwd: string; signal: AbortSignal; shell?: string; onOutput?: (output: string) => void },
): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    assertRunnableCommand(command);
    const child = spawn(options.shell ?? userShell(), ["-c", command], {
      cwd: options.cwd,
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    let aborted = false;
    const collect = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      options.onOutput?.(output);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const stop = () => {
      aborted = true;
      // The whole process group: the command's own children too.
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
    };
    if (options.signal.aborted) stop();
    else options.signal.addEventListener("abort", stop, { once: true });
    child.once("error", reject);
    child.once("close", (code) => {
      options.signal.removeEventListener("abort", stop);
      resolve({ output, exitCode: code, aborted });
    });
  });
}
