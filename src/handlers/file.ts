// Handlers of the spec tag "file": listing, reading and searching the project's files, and their git status.
import { queryFlag } from "./query-flag.js";
import { readFile, stat } from "node:fs/promises";
import type { HandlerMap, OperationIO } from "../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { badRequest } from "../server/errors.js";
import { isLegacyClient } from "../server/legacy-client.js";
import { readProjectFile } from "../files/file-content.js";
import { listProjectFolder } from "../files/file-list.js";
import { findEntries } from "../files/find-files.js";
import { projectRootOf, resolveProjectPath } from "../files/project-paths.js";
import { SearchPatternError, searchText } from "../files/text-search.js";
import { changedFiles } from "../git/vcs.js";
import { NO_WORKTREE, findWorktree } from "../git/worktree.js";

const FIND_LIMIT = 100;
/** Upstream answers at most 10 text matches; the search also gives up after a few seconds (e.g. over ?directory=/). */
const FIND_TEXT_LIMIT = 10;
const FIND_TEXT_TIMEOUT_MS = 5_000;

export const fileHandlers = {
  "file.list": async ({ query }, ctx) => {
    const absolute = resolveProjectPath(ctx.directory, query.path);
    const info = await stat(absolute).catch(() => undefined);
    // file.list declares no 404: a missing folder is a bad query.
    if (!info) throw badRequest(`No such file or directory: ${query.path}`, "Query");
    if (info.isFile()) {
      // The old API (Python SDK file.read) read a file through this route.
      if (isLegacyClient(ctx.req))
        return { type: "raw", content: await readFile(absolute, "utf8") } as unknown as OperationIO["file.list"]["response"];
      throw badRequest(`Not a directory: ${query.path} (read files with /file/content)`, "Query");
    }
    return listProjectFolder(projectRootOf(ctx.directory), absolute);
  },
  "file.read": ({ query }, ctx) => readProjectFile(resolveProjectPath(ctx.directory, query.path)),
  "file.status": async (_input, ctx) => {
    const worktree = findWorktree(ctx.directory);
    if (worktree === NO_WORKTREE) return [];
    return (await changedFiles(worktree)).map(({ file, additions, deletions, status }) => ({
      path: file,
      added: additions,
      removed: deletions,
      status,
    }));
  },
  "find.text": async ({ query }, ctx) => {
    const matches = await searchText(query.pattern, projectRootOf(ctx.directory), {
      limit: FIND_TEXT_LIMIT,
      timeoutMs: FIND_TEXT_TIMEOUT_MS,
    }).catch((error: Error) => {
      throw error instanceof SearchPatternError ? badRequest(error.message, "Query") : error;
    });
    return matches.map((m) => ({
      path: { text: m.path },
      lines: { text: m.lines },
      line_number: m.line_number,
      absolute_offset: m.absolute_offset,
      submatches: m.submatches.map((s) => ({ match: { text: s.match }, start: s.start, end: s.end })),
    }));
  },
  "find.files": async ({ query }, ctx) => {
    const dirs = queryFlag(query.dirs) ?? true;
    const found = await findEntries(projectRootOf(ctx.directory), query.query, {
      type: query.type ?? (dirs ? undefined : "file"),
      limit: query.limit === undefined ? FIND_LIMIT : Number(query.limit),
    });
    return found.map((entry) => entry.path);
  },
  // Workspace symbols come from the directory's running language servers (lsp.status lists them).
  "find.symbols": ({ query }, ctx) => ctx.services.lsp.workspaceSymbols(ctx.directory, query.query),
} satisfies HandlerMap<RequestContext, HandlerReply>;
