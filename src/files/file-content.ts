// A project file as file.read answers it: text, or base64 for binary files; for a text file
// changed since HEAD, also its diff and the structured patch a client renders.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { structuredPatch } from "diff";
import type { FileContent } from "../../generated/schemas.js";
import { git } from "../git/git.js";
import { headVersion } from "../git/vcs.js";
import { NO_WORKTREE, findWorktree } from "../git/worktree.js";

const MIME_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".svg": "image/svg+xml",
  ".pdf": "application/pdf",
  ".zip": "application/zip",
  ".wasm": "application/wasm",
};

function isBinary(content: Buffer): boolean {
  return content.subarray(0, 8000).includes(0);
}

export async function readProjectFile(absolute: string): Promise<FileContent> {
  // A missing file reads as empty text, as upstream answers.
  const content = await readFile(absolute).catch(() => undefined);
  if (!content) return { type: "text", content: "" };
  if (isBinary(content)) {
    const mimeType = MIME_TYPES[path.extname(absolute).toLowerCase()] ?? "application/octet-stream";
    return { type: "binary", content: content.toString("base64"), encoding: "base64", mimeType };
  }
  const text = content.toString("utf8");
  const worktree = findWorktree(path.dirname(absolute));
  if (worktree === NO_WORKTREE) return { type: "text", content: text };
  const relative = path.relative(worktree, absolute).split(path.sep).join("/");
  const before = await headVersion(worktree, relative);
  if (before === undefined || before === text) return { type: "text", content: text };
  const diff = await git(worktree, ["diff", "HEAD", "--", relative]).catch(() => "");
  const patch = structuredPatch(relative, relative, before, text);
  return {
    type: "text",
    content: text,
    ...(diff ? { diff } : {}),
    patch: {
      oldFileName: patch.oldFileName,
      newFileName: patch.newFileName,
      ...(patch.oldHeader ? { oldHeader: patch.oldHeader } : {}),
      ...(patch.newHeader ? { newHeader: patch.newHeader } : {}),
      hunks: patch.hunks.map(({ oldStart, oldLines, newStart, newLines, lines }) => ({ oldStart, oldLines, newStart, newLines, lines })),
    },
  };
}
