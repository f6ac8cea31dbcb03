// read: a file's lines (numbered, with offset and limit), or a directory's entries.
import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { projectRoot, resolvePath } from "./paths.js";
import { ToolError, type ToolDefinition } from "./tool.js";

const DEFAULT_LIMIT = 2000;
const MAX_LINE = 2000;

/** A text file as the model reads it: numbered lines in <path>/<type>/<content> tags. */
export async function readForModel(
  file: string,
  offset?: number,
  limit?: number,
): Promise<{ output: string; preview: string; truncated: boolean }> {
  const buffer = await readFile(file);
  if (buffer.subarray(0, 8000).includes(0)) throw new ToolError(`Cannot read binary file: ${file}`);
  const lines = buffer.toString("utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  const start = Math.max(1, offset ?? 1);
  const shown = lines.slice(start - 1, start - 1 + (limit ?? DEFAULT_LIMIT));
  const numbered = shown.map((line, i) => `${start + i}: ${line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}...` : line}`);
  const end = start - 1 + shown.length;
  const footer =
    end < lines.length
      ? `(File has more lines. Use offset=${end + 1} to read beyond line ${end})`
      : `(End of file - total ${lines.length} lines)`;
  return {
    output: `<path>${file}</path>\n<type>file</type>\n<content>\n${numbered.join("\n")}\n\n${footer}\n</content>`,
    preview: shown.slice(0, 20).join("\n"),
    truncated: end < lines.length,
  };
}

export const readTool: ToolDefinition<{ filePath: string; offset?: number; limit?: number }> = {
  id: "read",
  description: [
    "Reads a file (or lists a directory) in the project.",
    `Lines come numbered from 1; by default the first ${DEFAULT_LIMIT}, use \`offset\` (1-based) and \`limit\` for more.`,
    `Lines longer than ${MAX_LINE} characters are cut. Read a file before you edit it.`,
  ].join("\n"),
  parameters: {
    type: "object",
    properties: {
      filePath: { type: "string", description: "Absolute path (or relative to the project directory) of the file or directory" },
      offset: { type: "integer", minimum: 0, description: "Line number to start at (1-based)" },
      limit: { type: "integer", minimum: 0, description: "How many lines to read" },
    },
    required: ["filePath"],
  },
  async execute(args, ctx) {
    const file = await resolvePath(ctx, args.filePath);
    const title = path.relative(projectRoot(ctx), file) || ".";
    await ctx.ask({ permission: "read", patterns: [title], always: ["*"], metadata: {} });
    const info = await stat(file).catch(() => undefined);
    if (!info) throw new ToolError(`File not found: ${file}`);
    if (info.isDirectory()) {
      const entries = (await readdir(file, { withFileTypes: true })).map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
      return {
        title,
        output: `<path>${file}</path>\n<type>directory</type>\n<entries>\n${entries.join("\n")}\n</entries>`,
        metadata: { preview: entries.slice(0, 20).join("\n"), truncated: false },
      };
    }
    const { output, preview, truncated } = await readForModel(file, args.offset, args.limit);
    return { title, output, metadata: { preview, truncated } };
  },
};
