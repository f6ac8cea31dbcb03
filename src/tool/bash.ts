// bash: runs a command in the project, streaming its output into the part's metadata.
import path from "node:path";
import { runShellCommand } from "../workspace/shell.js";
import { resolvePath } from "./paths.js";
import type { ToolDefinition } from "./tool.js";

const DEFAULT_TIMEOUT_MS = 2 * 60_000;
const MAX_TIMEOUT_MS = 10 * 60_000;
/** The model reads at most this much output; the rest is cut from the middle. */
const MAX_OUTPUT = 30_000;

function truncate(output: string): { text: string; truncated: boolean } {
  if (output.length <= MAX_OUTPUT) return { text: output, truncated: false };
  const half = MAX_OUTPUT / 2;
  return {
    text: `${output.slice(0, half)}\n\n... (${output.length - MAX_OUTPUT} characters cut) ...\n\n${output.slice(-half)}`,
    truncated: true,
  };
}

export const bashTool: ToolDefinition<{ command: string; timeout?: number; workdir?: string; description?: string }> = {
  id: "bash",
  description: [
    "Runs a shell command (bash) in the project and returns its output (stdout and stderr together).",
    "Use it for builds, tests, git and other command-line work; prefer the read, glob and grep tools for looking at files.",
    "Commands run in the project directory unless `workdir` names another directory inside the project.",
    `The command is stopped after \`timeout\` milliseconds (default ${DEFAULT_TIMEOUT_MS}, at most ${MAX_TIMEOUT_MS}).`,
    "Give a short `description` of what the command does.",
  ].join("\n"),
  parameters: {
    type: "object",
    properties: {
      command: { type: "string", description: "The command to run" },
      timeout: { type: "integer", exclusiveMinimum: 0, description: "Timeout in milliseconds" },
      workdir: { type: "string", description: "Directory to run in, inside the project (default: the project directory)" },
      description: { type: "string", description: "What the command does, in 5-10 words" },
    },
    required: ["command", "description"],
  },
  async execute(args, ctx) {
    const cwd = args.workdir ? await resolvePath(ctx, args.workdir) : ctx.directory;
    const firstWord = args.command.trim().split(/\s+/)[0] ?? args.command;
    await ctx.ask({ permission: "bash", patterns: [args.command], always: [`${firstWord} *`], metadata: { command: args.command } });
    const timeout = Math.min(args.timeout ?? DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS);
    const timer = new AbortController();
    const timeoutHandle = setTimeout(() => timer.abort(), timeout);
    const signal = AbortSignal.any([ctx.signal, timer.signal]);
    ctx.progress({ metadata: { output: "" } });
    ctx.onAbort({
      title: args.command,
      output: "(no output)\n\n<shell_metadata>\nUser aborted the command\n</shell_metadata>",
      metadata: { output: "", exit: null, truncated: false, description: args.description ?? "" },
    });
    try {
      const result = await runShellCommand(args.command, {
        cwd,
        signal,
        shell: "/bin/bash",
        onOutput: (output) => {
          ctx.progress({ metadata: { output: truncate(output).text } });
          ctx.onAbort({
            title: args.command,
            output: `${output}\n\n<shell_metadata>\nUser aborted the command\n</shell_metadata>`,
            metadata: { output, exit: null, truncated: false, description: args.description ?? "" },
          });
        },
      });
      const { text, truncated } = truncate(result.output);
      const notes = [
        timer.signal.aborted ? `Command timed out after ${timeout} ms` : "",
        result.exitCode !== null && result.exitCode !== 0 ? `Exit code ${result.exitCode}` : "",
      ].filter(Boolean);
      const output = `${text}${notes.length ? `\n\n<shell_metadata>\n${notes.join("\n")}\n</shell_metadata>` : ""}`;
      return {
        title: args.command,
        output: output || "(no output)",
        metadata: {
          output: text,
          exit: result.exitCode,
          truncated,
          description: args.description ?? "",
          ...(cwd !== ctx.directory ? { workdir: path.relative(ctx.directory, cwd) } : {}),
        },
      };
    } finally {
      clearTimeout(timeoutHandle);
    }
  },
};
