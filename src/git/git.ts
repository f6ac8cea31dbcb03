// The one way this server runs git: in a directory, never prompting, paths unquoted, with a
// large output buffer. git's failure is a GitError in git's own words (stderr, else stdout), which
// callers pass on to the user or turn into their domain's error; git that cannot run is not.
import { execFile } from "node:child_process";

const MAX_OUTPUT = 256 * 1024 * 1024;

export class GitError extends Error {
  constructor(
    readonly args: string[],
    /** What git said went wrong. */
    message: string,
    readonly stdout: string,
  ) {
    super(message);
  }
}

export interface GitOptions {
  /** Written to git's stdin. */
  input?: string;
  /** Added to the environment. */
  env?: Record<string, string>;
  /** Killed after this many ms. */
  timeout?: number;
}

/** Runs `git <args>` in `cwd` and answers its stdout (not trimmed). */
export function git(cwd: string, args: string[], options: GitOptions = {}): Promise<string> {
  const { input, env, timeout } = options;
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      ["-c", "core.quotepath=false", ...args],
      { cwd, maxBuffer: MAX_OUTPUT, timeout, env: { ...process.env, GIT_TERMINAL_PROMPT: "0", ...env } },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        // git could not run at all (not installed, output too large): the server's problem, as is.
        if (typeof (error as NodeJS.ErrnoException).code === "string") return reject(error);
        reject(new GitError(args, (stderr.trim() || stdout.trim() || error.message).trim(), stdout));
      },
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

export interface GitResult {
  ok: boolean;
  /** Trimmed. */
  stdout: string;
  /** What git said went wrong ("" when ok). */
  problem: string;
}

/** Runs git and answers how it went, never throwing: for callers that try something and look. */
export async function tryGit(cwd: string, args: string[]): Promise<GitResult> {
  try {
    return { ok: true, stdout: (await git(cwd, args)).trim(), problem: "" };
  } catch (error) {
    if (error instanceof GitError) return { ok: false, stdout: error.stdout.trim(), problem: error.message };
    return { ok: false, stdout: "", problem: (error as Error).message };
  }
}
