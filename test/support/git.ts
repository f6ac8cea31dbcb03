// Throw-away git repositories for tests.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { makeTempDir } from "./temp.js";

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
    },
  }).trim();
}

/** A repository with one commit; returns its folder and root commit hash. */
export function makeRepo(name: string): { dir: string; rootCommit: string } {
  const dir = makeTempDir(name);
  git(dir, "init", "-q", "-b", "main");
  writeFileSync(path.join(dir, "README.md"), `# ${name}\n`);
  git(dir, "add", ".");
  git(dir, "commit", "-q", "-m", "first");
  return { dir, rootCommit: git(dir, "rev-parse", "HEAD") };
}
