// read: a file's lines (numbered, with offset and limit), or a directory's entries.
import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { projectRoot, resolvePath } from "./paths.js";
import { z } from "zod";
import { defineTool, nonNegativeInt } from "./define.js";
import { ToolError } from "./tool.js";

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

const description = `Reads a file from the project, or lists a folder's entries. A path that does not exist is an error.

How to use it:
- Give \`filePath\` as an absolute path.
- Without \`offset\` and \`limit\` you get the first ${DEFAULT_LIMIT} lines. \`offset\` is the line to start at (counting from 1) and \`limit\` how many lines to read; for the rest of a long file, call again with a larger offset.
- Each line comes back as "<number>: <text>", so a file holding "foo" reads as "1: foo". A folder comes back as one entry per line, folders ending in "/".
- Lines longer than ${MAX_LINE} characters are cut.
- To find something in a large file (or one with very long lines), use grep first and then read around the line it names.
- Not sure of the path? Look it up with glob.
- Read several files at once by making several read calls in one message.
- Prefer one larger window over many small slices (30 lines at a time wastes calls).
- Read a file before you edit or overwrite it.`;

export const readTool = defineTool({
  id: "read",
  description,
  parameters: z.object({
    filePath: z.string().describe("Absolute path of the file or folder to read"),
    offset: nonNegativeInt().describe("The line to start reading at (the first line is 1)").optional(),
    limit: nonNegativeInt().describe(`How many lines to read at most (default ${DEFAULT_LIMIT})`).optional(),
  }),
  async run(args, ctx) {
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
    const { output, preview, truncated } = await readForModel(file, args.offset || undefined, args.limit || undefined);
    return { title, output, metadata: { preview, truncated } };
  },
});
