// Listing a project's files the way a developer sees them: in a git worktree, what git tracks
// plus untracked files that are not ignored; elsewhere, a walk that skips the usual heavy folders.
import { git } from "../git/git.js";
import { readdir } from "node:fs/promises";
import path from "node:path";

const SKIPPED = new Set([".git", "node_modules", ".venv", "__pycache__", "dist", "build", ".next", ".cache"]);

async function walk(root: string, dir: string, out: string[], limit: number, deadline: number): Promise<void> {
  if (Date.now() > deadline) return;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (out.length >= limit || Date.now() > deadline) return;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED.has(entry.name)) await walk(root, full, out, limit, deadline);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      out.push(path.relative(root, full));
    }
  }
}

/** Files under `dir` (relative to it), ignored ones left out, at most `limit`; those found by `deadline` (epoch ms) if given. */
export async function listFiles(dir: string, limit = 100_000, deadline = Infinity): Promise<string[]> {
  try {
    const stdout = await git(dir, ["ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", "."], {
      ...(Number.isFinite(deadline) ? { timeout: Math.max(1, deadline - Date.now()) } : {}),
    });
    return stdout.split("\0").filter(Boolean).slice(0, limit);
  } catch {
    const out: string[] = [];
    await walk(dir, dir, out, limit, deadline);
    return out;
  }
}

/** A glob pattern (`*`, `**`, `?`, `{a,b}`, `[abc]`) as a regular expression over relative paths. */
export function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        const slash = pattern[i + 2] === "/";
        source += slash ? "(?:.*/)?" : ".*";
        i += slash ? 2 : 1;
      } else source += "[^/]*";
    } else if (c === "?") source += "[^/]";
    else if (c === "{") {
      const end = pattern.indexOf("}", i);
      if (end < 0) source += "\\{";
      else {
        source += `(?:${pattern
          .slice(i + 1, end)
          .split(",")
          .map((alt) => globToRegExp(alt).source.slice(1, -1))
          .join("|")})`;
        i = end;
      }
    } else if (c === "[") {
      const end = pattern.indexOf("]", i);
      if (end < 0) source += "\\[";
      else {
        source += pattern.slice(i, end + 1);
        i = end;
      }
    } else source += c.replace(/[.+^$()|\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/** Whether a relative path matches a glob; a pattern without "/" also matches base names anywhere. */
export function matchesGlob(pattern: string, file: string): boolean {
  const regex = globToRegExp(pattern);
  return regex.test(file) || (!pattern.includes("/") && regex.test(path.basename(file)));
}
