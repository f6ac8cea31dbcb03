// What git says about a project's working tree: its branch, the files changed since HEAD (or
// since the default branch), their diffs, and applying a patch. Untracked files count as added.
import { git } from "./git.js";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createTwoFilesPatch } from "diff";

/** git's empty tree: what a repository without commits is compared with. */
const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

export type ChangeStatus = "added" | "deleted" | "modified";

export interface ChangedFile {
  file: string;
  additions: number;
  deletions: number;
  status: ChangeStatus;
}

async function gitOr(root: string, args: string[], fallback: string): Promise<string> {
  return git(root, args).catch(() => fallback);
}

export async function currentBranch(root: string): Promise<string | undefined> {
  const name = (await gitOr(root, ["symbolic-ref", "--short", "HEAD"], "")).trim();
  return name || undefined;
}

/** The remote's default branch when known, else main or master if one exists, else the current one. */
export async function defaultBranch(root: string): Promise<string | undefined> {
  const remote = (await gitOr(root, ["symbolic-ref", "--short", "refs/remotes/origin/HEAD"], "")).trim();
  if (remote) return remote.replace(/^origin\//, "");
  for (const name of ["main", "master"]) {
    if ((await gitOr(root, ["rev-parse", "--verify", "--quiet", `refs/heads/${name}`], "")).trim()) return name;
  }
  return currentBranch(root);
}

/** The commit (or tree) changes are measured against: HEAD, or the merge base with the default branch. */
async function baseOf(root: string, mode: "git" | "branch"): Promise<string> {
  const head = (await gitOr(root, ["rev-parse", "--verify", "--quiet", "HEAD"], "")).trim();
  if (!head) return EMPTY_TREE;
  if (mode === "branch") {
    const main = await defaultBranch(root);
    const base = main ? (await gitOr(root, ["merge-base", "HEAD", main], "")).trim() : "";
    if (base) return base;
  }
  return head;
}

async function untracked(root: string): Promise<string[]> {
  return (await gitOr(root, ["ls-files", "--others", "--exclude-standard", "-z"], "")).split("\0").filter(Boolean);
}

async function lineCount(file: string): Promise<number> {
  const content = await readFile(file).catch(() => undefined);
  if (!content || content.subarray(0, 8000).includes(0)) return 0;
  const text = content.toString("utf8");
  return text ? text.split("\n").length - (text.endsWith("\n") ? 1 : 0) : 0;
}

export async function changedFiles(root: string, mode: "git" | "branch" = "git"): Promise<ChangedFile[]> {
  const base = await baseOf(root, mode);
  const counts = new Map<string, { additions: number; deletions: number }>();
  for (const line of (await gitOr(root, ["diff", "--numstat", base], "")).split("\n").filter(Boolean)) {
    const [added, removed, file] = line.split("\t");
    counts.set(file!, { additions: Number(added) || 0, deletions: Number(removed) || 0 });
  }
  const files: ChangedFile[] = [];
  for (const line of (await gitOr(root, ["diff", "--name-status", "--no-renames", base], "")).split("\n").filter(Boolean)) {
    const [code, file] = line.split("\t");
    const status: ChangeStatus = code === "A" ? "added" : code === "D" ? "deleted" : "modified";
    files.push({ file: file!, ...(counts.get(file!) ?? { additions: 0, deletions: 0 }), status });
  }
  for (const file of await untracked(root)) {
    files.push({ file, additions: await lineCount(path.join(root, file)), deletions: 0, status: "added" });
  }
  return files.sort((a, b) => a.file.localeCompare(b.file));
}

/** A new file's diff, as git would show it. */
async function newFilePatch(root: string, file: string): Promise<string> {
  const content = await readFile(path.join(root, file), "utf8").catch(() => "");
  return createTwoFilesPatch("/dev/null", `b/${file}`, "", content);
}

export async function fileDiffs(root: string, mode: "git" | "branch", context = 3) {
  const base = await baseOf(root, mode);
  const fresh = new Set(await untracked(root));
  return Promise.all(
    (await changedFiles(root, mode)).map(async (change) => ({
      ...change,
      patch: fresh.has(change.file)
        ? await newFilePatch(root, change.file)
        : await gitOr(root, ["diff", `-U${context}`, base, "--", change.file], ""),
    })),
  );
}

/** `git diff` of the working tree against HEAD, untracked files included as new files. */
export async function rawDiff(root: string): Promise<string> {
  const base = await baseOf(root, "git");
  const tracked = await gitOr(root, ["diff", base], "");
  const added = await Promise.all((await untracked(root)).map((file) => newFilePatch(root, file)));
  return [tracked, ...added].filter(Boolean).join("");
}

/** Applies a patch to the working tree; false (nothing changed) when it does not apply. */
export async function applyPatch(root: string, patch: string): Promise<boolean> {
  try {
    await git(root, ["apply", "--check", "-"], { input: patch });
  } catch {
    return false;
  }
  await git(root, ["apply", "-"], { input: patch });
  return true;
}

/** The file's text at HEAD, or undefined when HEAD does not have it. */
export async function headVersion(root: string, file: string): Promise<string | undefined> {
  return git(root, ["show", `HEAD:${file}`]).catch(() => undefined);
}
