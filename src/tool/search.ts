// glob and grep: finding files and text in the project (grep through files/text-search:
// ripgrep when it is installed, a JavaScript search over the same file list otherwise).
import { stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { listFiles, matchesGlob } from "../files/files.js";
import { defineTool } from "./define.js";
import { projectRoot, resolvePath } from "./paths.js";
import { SearchPatternError, searchText } from "../files/text-search.js";
import { ToolError } from "./tool.js";

const MAX_RESULTS = 100;

const globDescription = `Finds files by name with a glob pattern, in a project of any size.

- Patterns look like "**/*.ts" (every TypeScript file, at any depth) or "src/**/test_*.py".
- Answers matching paths, most recently changed first, at most ${MAX_RESULTS}; files the project ignores (.gitignore) are left out.
- Use it when you know (part of) a file's name. To find files by what they contain, use grep.
- For open-ended searches that may take several rounds of globbing and grepping, hand the work to a sub-agent with the task tool.
- Make several glob calls in one message when you have several independent searches.`;

export const globTool = defineTool({
  id: "glob",
  description: globDescription,
  parameters: z.object({
    pattern: z.string().describe("The glob pattern file paths must match"),
    path: z
      .string()
      .describe(
        'The folder to search in (default: the project directory). Leave this field out for the default; do not send "undefined" or "null". If given, it must be an existing folder.',
      )
      .optional(),
  }),
  async run(args, ctx) {
    const dir = args.path ? await resolvePath(ctx, args.path) : ctx.directory;
    await ctx.ask({ permission: "glob", patterns: [args.pattern], always: ["*"], metadata: { pattern: args.pattern, path: dir } });
    const matches = (await listFiles(dir)).filter((f) => matchesGlob(args.pattern, f));
    const withTimes = await Promise.all(
      matches.map(async (f) => ({ file: path.join(dir, f), mtime: (await stat(path.join(dir, f)).catch(() => undefined))?.mtimeMs ?? 0 })),
    );
    withTimes.sort((a, b) => b.mtime - a.mtime || a.file.localeCompare(b.file));
    const shown = withTimes.slice(0, MAX_RESULTS).map((m) => m.file);
    const output = shown.length
      ? shown.join("\n") +
        (withTimes.length > MAX_RESULTS ? `\n\n(${withTimes.length - MAX_RESULTS} more not shown: narrow the pattern)` : "")
      : "No files found";
    return {
      title: path.relative(projectRoot(ctx), dir) || ".",
      output,
      metadata: { count: withTimes.length, truncated: withTimes.length > MAX_RESULTS },
    };
  },
});

const grepDescription = `Searches the contents of the project's files with a regular expression.

- Full regular expression syntax: "log.*Error", "function\\s+\\w+", "import .* from ['\"]react".
- \`include\` limits the search to files whose names match a glob: "*.js", "*.{ts,tsx}".
- Answers the files with matching lines and their line numbers, at most ${MAX_RESULTS} matches; ignored files (.gitignore) are skipped.
- Use it to find where something is defined or used. To find files by name, use glob; to count matches or search in other ways, bash with rg is fine.
- For open-ended searches that may take several rounds, hand the work to a sub-agent with the task tool.
- Make several grep calls in one message when you have several independent searches.`;

export const grepTool = defineTool({
  id: "grep",
  description: grepDescription,
  parameters: z.object({
    pattern: z.string().describe("The regular expression to look for in file contents"),
    path: z.string().describe("The folder to search in (default: the project directory)").optional(),
    include: z.string().describe('Which files to search, as a glob (e.g. "*.js", "*.{ts,tsx}")').optional(),
  }),
  async run(args, ctx) {
    const dir = args.path ? await resolvePath(ctx, args.path) : ctx.directory;
    await ctx.ask({
      permission: "grep",
      patterns: [args.pattern],
      always: ["*"],
      metadata: { pattern: args.pattern, path: dir, include: args.include },
    });
    const found = await searchText(args.pattern, dir, { include: args.include, signal: ctx.signal }).catch((error: Error) => {
      throw new ToolError(error instanceof SearchPatternError ? error.message : `grep failed: ${error.message}`);
    });
    const matches = found.map((m) => ({ file: path.join(dir, m.path), line: m.line_number, text: m.lines.replace(/\n$/, "") }));
    const title = args.pattern;
    if (matches.length === 0) return { title, output: "No files found", metadata: { matches: 0, truncated: false } };
    const shown = matches.slice(0, MAX_RESULTS);
    const lines = [`Found ${matches.length} matches`];
    let current = "";
    for (const match of shown) {
      if (match.file !== current) {
        current = match.file;
        lines.push("", `${match.file}:`);
      }
      lines.push(`  Line ${match.line}: ${match.text.length > 2000 ? `${match.text.slice(0, 2000)}...` : match.text}`);
    }
    if (matches.length > MAX_RESULTS) lines.push("", `(${matches.length - MAX_RESULTS} more matches not shown: narrow the search)`);
    return { title, output: lines.join("\n"), metadata: { matches: matches.length, truncated: matches.length > MAX_RESULTS } };
  },
});
