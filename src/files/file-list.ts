// One folder of the project as file.list answers it: folders first, then files, each marked
// `ignored` when .gitignore leaves it out.
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { FileNode } from "../../generated/schemas.js";
import { git } from "../git/git.js";
import { NO_WORKTREE, findWorktree } from "../git/worktree.js";

async function ignoredOf(worktree: string, relatives: string[]): Promise<Set<string>> {
  if (worktree === NO_WORKTREE || relatives.length === 0) return new Set();
  // check-ignore answers the ignored ones; it exits 1 when none is, which is no error here.
  const out = await git(worktree, ["check-ignore", "--stdin", "-z"], { input: relatives.join("\0") }).catch(
    (error: { stdout?: string }) => error.stdout ?? "",
  );
  return new Set(out.split("\0").filter(Boolean));
}

export async function listProjectFolder(root: string, absolute: string): Promise<FileNode[]> {
  const entries = (await readdir(absolute, { withFileTypes: true })).filter((e) => e.isDirectory() || e.isFile() || e.isSymbolicLink());
  const worktree = findWorktree(absolute);
  const rel = (name: string) => path.relative(root, path.join(absolute, name)).split(path.sep).join("/");
  const ignored = await ignoredOf(
    worktree,
    entries.map((e) => path.relative(worktree, path.join(absolute, e.name))),
  );
  return entries
    .map((e): FileNode => {
      const directory = e.isDirectory();
      return {
        name: e.name,
        path: directory ? `${rel(e.name)}/` : rel(e.name),
        absolute: path.join(absolute, e.name),
        type: directory ? "directory" : "file",
        ignored: ignored.has(path.relative(worktree, path.join(absolute, e.name))),
      };
    })
    .sort(
      (a, b) => Number(b.type === "directory") - Number(a.type === "directory") || a.name.toLowerCase().localeCompare(b.name.toLowerCase()),
    );
}
