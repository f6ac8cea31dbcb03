// edit: replaces an exact piece of text in a file, and reports the diff.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { createTwoFilesPatch, diffLines } from "diff";
import { projectRoot, resolvePath } from "./paths.js";
import { z } from "zod";
import { defineTool } from "./define.js";
import { ToolError } from "./tool.js";

function countOccurrences(text: string, piece: string): number {
  let count = 0;
  for (let at = text.indexOf(piece); at >= 0; at = text.indexOf(piece, at + piece.length)) count++;
  return count;
}

const description = `Changes a file by replacing an exact piece of its text with new text.

How to use it:
- Read the file (read tool) in this conversation before editing it.
- \`oldString\` must match the file exactly, whitespace and indentation included. Copy it from what read showed, without the "<number>: " prefix read puts in front of each line.
- By default \`oldString\` must occur exactly once: the edit fails if it is not found, or found several times. Include a few surrounding lines to make it unique.
- Set \`replaceAll\` to change every occurrence, for instance to rename a variable throughout the file.
- \`newString\` must differ from \`oldString\`.
- An empty \`oldString\` creates the file with \`newString\` as its whole content.
- Edits to the same file in one message run in order: each oldString must match the file as the earlier edits left it.
- After an edit fails, read the file again before retrying: it may have changed since you last read it.
- Example: to change "return a + b;" where it occurs only in function add, send the lines "function add(a, b) {" and "  return a + b;" as oldString and the same lines with the new body as newString.
- Keep the file's own style (indentation, quotes, line endings). Prefer editing existing files to creating new ones, and do not add emoji unless the user asks.`;

export const editTool = defineTool({
  id: "edit",
  description,
  parameters: z.object({
    filePath: z.string().describe("Absolute path of the file to change"),
    oldString: z.string().describe("The exact text to replace"),
    newString: z.string().describe("The text to put in its place (not the same as oldString)"),
    replaceAll: z.boolean().describe("Replace every occurrence of oldString, not just one (default false)").optional(),
  }),
  async run(args, ctx) {
    const file = await resolvePath(ctx, args.filePath);
    const relative = path.relative(projectRoot(ctx), file);
    if (args.oldString === args.newString) throw new ToolError("oldString and newString are the same: nothing to change");
    const before =
      args.oldString === ""
        ? ""
        : await readFile(file, "utf8").catch(() => {
            throw new ToolError(`File not found: ${file}`);
          });
    let after: string;
    if (args.oldString === "") after = args.newString;
    else {
      const count = countOccurrences(before, args.oldString);
      if (count === 0) throw new ToolError("oldString was not found in the file");
      if (count > 1 && !args.replaceAll)
        throw new ToolError(`oldString appears ${count} times: add surrounding lines to make it unique, or set replaceAll`);
      after = args.replaceAll ? before.split(args.oldString).join(args.newString) : before.replace(args.oldString, () => args.newString);
    }
    await ctx.ask({
      permission: "edit",
      patterns: [relative],
      always: ["*"],
      metadata: { filepath: file, diff: createTwoFilesPatch(file, file, before, after) },
    });
    await writeFile(file, after);
    ctx.publish("file.edited", { file });
    ctx.publish("file.watcher.updated", { file, event: "change" });
    const changes = diffLines(before, after);
    const additions = changes.filter((c) => c.added).reduce((n, c) => n + (c.count ?? 0), 0);
    const deletions = changes.filter((c) => c.removed).reduce((n, c) => n + (c.count ?? 0), 0);
    return {
      title: relative,
      output: "Edit applied successfully.",
      metadata: {
        diagnostics: {},
        diff: createTwoFilesPatch(file, file, before, after),
        filediff: { file, before, after, additions, deletions },
      },
    };
  },
});
