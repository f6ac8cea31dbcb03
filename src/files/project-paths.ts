// Paths a client names over HTTP (file.*, find.*, /api/fs/*): resolved against the request's
// directory and kept inside its project. `..`, absolute paths and symbolic links that lead out
// are refused, and so are `.env` files (secrets), as clients must not read them through the API.
import path from "node:path";
import { isInside } from "../tool/paths.js";
import { InvalidRequestError, NamedError } from "../domain-errors.js";
import { NO_WORKTREE, findWorktree } from "../git/worktree.js";

/** The folder a request may reach: the git worktree of its directory, or the directory itself. */
export function projectRootOf(directory: string): string {
  const worktree = findWorktree(directory);
  return worktree === NO_WORKTREE ? directory : worktree;
}

function isSecret(file: string): boolean {
  const name = path.basename(file);
  return (name === ".env" || name.startsWith(".env.")) && name !== ".env.example";
}

export function resolveProjectPath(directory: string, requested: string): string {
  const root = projectRootOf(directory);
  const absolute = path.resolve(directory, requested || ".");
  if (!isInside(root, absolute))
    throw new InvalidRequestError(`Path escapes the project directory ${root}: ${requested}`, undefined, "Query");
  if (isSecret(absolute)) throw new NamedError("ForbiddenError", `Not served: ${requested} may hold secrets`, {}, "forbidden");
  return absolute;
}

/** A path as the API reports it: relative to the project root, with "/" separators. */
export function relativeToRoot(directory: string, absolute: string): string {
  return path.relative(projectRootOf(directory), absolute).split(path.sep).join("/");
}
