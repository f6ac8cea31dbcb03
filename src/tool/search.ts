// list, glob and grep: finding files and text in the project (grep through workspace/text-search:
// ripgrep when it is installed, a JavaScript search over the same file list otherwise).
import { stat } from "node:fs/promises";
import path from "node:path";
import { listFiles, matchesGlob } from "../workspace/files.js";
import { projectRoot, resolvePath } from "./paths.js";
import { SearchPatternError, searchText } from "../workspace/text-search.js";
import { ToolError, type ToolDefinition } from "./tool.js";

const MAX_RESULTS = 100;

export const listTool: ToolDefinition<{ path?: string; ignore?: string[] }> = {
  id: "list",
  description:
    "Lists the files under a directory of the project as a tree (ignored files left out). Prefer glob and grep when you know what you look for.",
  parameters: {
    type: "object",
    properties: {
      path: { type: "string", description: "Directory to list (default: the project directory)" },
      ignore: { type: "array", items: { type: "string" }, description: "Glob patterns to leave out" },
    },
  },
  async execute(args, ctx) {
    const dir = args.path ? await resolvePath(ctx, args.path) : ctx.directory;
    await ctx.ask({ permission: "list", patterns: [dir], always: ["*"], metadata: { path: dir } });
    const files = (await listFiles(dir, 1000)).filter((f) => !(args.ignore ?? []).some((g) => matchesGlob(g, f)));
    const tree = new Map<string, string[]>();
    for (const file of files) {
      const folder = path.dirname(file);
      tree.set(folder, [...(tree.get(folder) ?? []), path.basename(file)]);
    }
    const lines = [`${dir}/`];
    for (const folder of [...tree.keys()].sort()) {
      const depth = folder === "." ? 0 : folder.split("/").length;
      if (folder !== ".") lines.push(`${"  ".repeat(depth)}${folder.split("/").pop()}/`);
      for (const name of tree.get(folder)!.sort()) lines.push(`${"  ".repeat(depth + 1)}${name}`);
    }
    return {
      title: path.relative(projectRoot(ctx), dir) || ".",
      output: lines.join("\n"),
      metadata: { count: files.length, truncated: files.length >= 1000 },
    };
  },
};

export const globTool: ToolDefinition<{ pattern: string; path?: string }> = {
  id: "glob",
  description: `Finds files by name with a glob pattern ("**/*.ts", "src/**/test_*.py"). Answers paths, most recently changed first, at most ${MAX_RESULTS}.`,
  parameters: {
    type: "object",
    properties: {
      pattern: { type: "string", description: "The glob pattern" },
      path: { type: "string", description: "Directory to search (default: the project directory)" },
    },
    required: ["pattern"],
  },
  async execute(args, ctx) {
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
};

export const grepTool: ToolDefinition<{ pattern: string; path?: string; include?: string }> = {
  id: "grep",
  description: `Searches file contents with a regular expression ("log.*Error", "function\\s+\\w+"); \`include\` limits it to files matching a glob ("*.ts"). Answers file paths and matching lines, at most ${MAX_RESULTS}.`,
  parameters: {
    type: "object",
    properties: {
      pattern: { type: "string", description: "The regular expression" },
      path: { type: "string", description: "Directory to search (default: the project directory)" },
      include: { type: "string", description: 'Files to search, as a glob ("*.js", "*.{ts,tsx}")' },
    },
    required: ["pattern"],
  },
  async execute(args, ctx) {
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
};
