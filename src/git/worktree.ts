// The git worktree a directory belongs to: the nearest ancestor (or itself) holding `.git`.
// Outside any repository (or for a directory that does not exist) upstream answers "/".
import { existsSync } from "node:fs";
import path from "node:path";

export const NO_WORKTREE = "/";

export function findWorktree(directory: string): string {
  let current = path.resolve(directory);
  if (!existsSync(current)) return NO_WORKTREE;
  for (;;) {
    if (existsSync(path.join(current, ".git"))) return current;
    const parent = path.dirname(current);
    if (parent === current) return NO_WORKTREE;
    current = parent;
  }
}
