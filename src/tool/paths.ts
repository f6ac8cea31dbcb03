// Where a tool may touch files: inside the project (the worktree, or the session's directory
// outside a repository). Relative paths resolve against the session's directory; `..`,
// absolute paths and symbolic links that lead outside take the external_directory permission
// (except the folder where cut tool outputs are saved).
import { realpathSync } from "node:fs";
import path from "node:path";
import { NO_WORKTREE } from "../git/worktree.js";
import { ToolError, type ToolContext } from "./tool.js";
import { toolOutputDirectory } from "./truncate.js";

function realOrSelf(file: string): string {
  // The deepest existing ancestor decides where a path really leads.
  let current = file;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync(current), ...rest.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return file;
      rest.push(path.basename(current));
      current = parent;
    }
  }
}

export function projectRoot(ctx: Pick<ToolContext, "directory" | "worktree">): string {
  return ctx.worktree === NO_WORKTREE ? ctx.directory : ctx.worktree;
}

export function isInside(root: string, file: string): boolean {
  const relative = path.relative(realOrSelf(root), realOrSelf(file));
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/**
 * The absolute path a tool argument names. Outside the project it takes the external_directory
 * permission (asked by default, as upstream); denied, the tool fails with a clear message.
 */
export async function resolvePath(ctx: Pick<ToolContext, "directory" | "worktree" | "ask">, file: string): Promise<string> {
  const absolute = path.resolve(ctx.directory, file);
  const root = projectRoot(ctx);
  if (isInside(root, absolute)) return absolute;
  // A cut tool output's saved copy may be searched and read without asking (upstream allows it).
  if (isInside(toolOutputDirectory(), absolute)) return absolute;
  const folder = path.dirname(absolute);
  try {
    await ctx.ask({
      permission: "external_directory",
      patterns: [`${folder}/*`],
      always: [`${folder}/*`],
      metadata: { filepath: absolute, parentDir: folder },
    });
  } catch (error) {
    if (error instanceof Error) throw new ToolError(`${file} is outside the project directory ${root}: ${error.message}`);
    throw error;
  }
  return absolute;
}
