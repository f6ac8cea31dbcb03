// bash: runs a command in the project, streaming its output into the part's metadata. Its answer
// goes through the common output limit (truncate.ts) like every tool's.
import path from "node:path";
import { z } from "zod";
import { runShellCommand } from "../process/shell.js";
import { defineTool, positiveInt } from "./define.js";
import { resolvePath } from "./paths.js";
import { MAX_BYTES, MAX_LINES } from "./truncate.js";

const DEFAULT_TIMEOUT_MS = 2 * 60_000;
/** The running part shows at most this much output (the TUI's view, not the model's). */
const MAX_METADATA = 30_000;

function preview(output: string): string {
  return output.length > MAX_METADATA ? `${output.slice(0, MAX_METADATA)}\n\n...` : output;
}

const description = `Runs a command in a bash shell and returns what it printed (stdout and stderr together), with a note when it fails or times out.

Environment: ${process.platform}, shell bash.

Where it runs:
- Commands start in the project directory. To run somewhere else, set \`workdir\` to that directory rather than prefixing the command with \`cd <dir> &&\`.
- Each call starts a fresh shell: variables and directory changes do not carry over to the next call.

What it is for:
- Terminal work: git, package managers (npm, pip, cargo...), builds, test runners, docker, running scripts.
- Not for working with files. Use the dedicated tools, which are faster, safer and show the user what happened:
  - finding files by name: glob (not find or ls)
  - searching file contents: grep (not grep or rg)
  - reading files: read (not cat, head or tail)
  - changing files: edit (not sed or awk)
  - creating files: write (not echo > or cat <<EOF)
  - talking to the user: write text in your answer (not echo or printf)

Before running:
- If the command creates files or folders, check first (ls) that the parent folder exists and is the one you mean.
- Put double quotes around paths that contain spaces: cd "/home/me/My Projects" works, cd /home/me/My Projects does not.

Limits:
- \`timeout\` is in milliseconds; without it a command is stopped after ${DEFAULT_TIMEOUT_MS} ms (2 minutes).
- Output longer than ${MAX_LINES} lines or ${MAX_BYTES} bytes is cut; the complete output is saved to a file whose path the answer gives, so you can search it with grep or read parts of it. So do not pipe through head or tail to shorten output yourself.

Commands that never end by themselves:
- Servers, watchers (npm run dev, tsc --watch) and commands that wait for input would hold the call until the timeout. Avoid them, or start them in the background with their output sent to a file (cmd > /tmp/dev.log 2>&1 &) and check that file later.
- Pass the flags that make tools non-interactive (git --no-pager, npm init -y, apt-get -y, CI=1 for test runners), and never open an editor or a pager.

Reading the answer:
- A command that failed ends with an "Exit code N" note, a command stopped by the timeout with a note saying so; read the error output and fix the cause before trying again, rather than repeating the same command.
- An empty answer "(no output)" means the command printed nothing, which for many commands means success.

Several commands:
- Independent commands (say git status and git diff): make several bash calls in the same message, so they run in parallel.
- Commands that depend on each other: one call, chained with && (mkdir build && cd build && cmake ..), so a failure stops the chain. Use ; only when later commands should run even if earlier ones fail.
- Do not separate commands with newlines (newlines inside quoted strings are fine).
- Good: workdir="/repo/app" with command "npm test". Bad: command "cd /repo/app && npm test".

Git:
- Commit, amend, push or open pull requests only when the user asked for it.
- Before a commit look at git status, git diff and git log --oneline -10; stage only the files you mean to, and never commit secrets (.env files, keys, credentials).
- Write a short commit message in the style of the repository's history.
- Do not change git config, skip hooks (--no-verify), use interactive flags (-i), force-push, or make empty commits unless the user asks.
- If a commit fails or a hook rejects it, fix the cause and make a new commit; do not amend the failed one.
- Before opening a pull request, check the branch's status, its remote, all its commits and its diff from the base branch, and describe all of them, not only the last commit.
- Use the gh command for GitHub work (pull requests, issues, checks, releases) and give the user the pull request's URL at the end.`;

export const bashTool = defineTool({
  id: "bash",
  description,
  parameters: z.object({
    command: z.string().describe("The shell command to run"),
    timeout: positiveInt().describe("How long the command may run, in milliseconds").optional(),
    workdir: z
      .string()
      .describe("The directory to run the command in (default: the project directory). Set this instead of using 'cd'.")
      .optional(),
  }),
  async run(args, ctx) {
    const cwd = args.workdir ? await resolvePath(ctx, args.workdir) : ctx.directory;
    const firstWord = args.command.trim().split(/\s+/)[0] ?? args.command;
    await ctx.ask({ permission: "bash", patterns: [args.command], always: [`${firstWord} *`], metadata: { command: args.command } });
    const timeout = args.timeout ?? DEFAULT_TIMEOUT_MS;
    const timer = new AbortController();
    const timeoutHandle = setTimeout(() => timer.abort(), timeout);
    const signal = AbortSignal.any([ctx.signal, timer.signal]);
    const aborted = (output: string) => ({
      title: args.command,
      output: `${output || "(no output)"}\n\n<shell_metadata>\nUser aborted the command\n</shell_metadata>`,
      metadata: { output: preview(output), exit: null, truncated: false },
    });
    ctx.progress({ metadata: { output: "" } });
    ctx.onAbort(aborted(""));
    try {
      const result = await runShellCommand(args.command, {
        cwd,
        signal,
        shell: "/bin/bash",
        onOutput: (output) => {
          ctx.progress({ metadata: { output: preview(output) } });
          ctx.onAbort(aborted(output));
        },
      });
      const notes = [
        timer.signal.aborted ? `Command timed out after ${timeout} ms` : "",
        result.exitCode !== null && result.exitCode !== 0 ? `Exit code ${result.exitCode}` : "",
      ].filter(Boolean);
      const output = `${result.output}${notes.length ? `\n\n<shell_metadata>\n${notes.join("\n")}\n</shell_metadata>` : ""}`;
      return {
        title: args.command,
        output: output || "(no output)",
        metadata: {
          output: preview(result.output),
          exit: result.exitCode,
          ...(cwd !== ctx.directory ? { workdir: path.relative(ctx.directory, cwd) } : {}),
        },
      };
    } finally {
      clearTimeout(timeoutHandle);
    }
  },
});
