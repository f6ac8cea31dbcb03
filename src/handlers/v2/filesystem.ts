// Handlers of the spec tag "filesystem" (v2 /api/fs/*): read, list and find inside the project.
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { HandlerMap } from "../../../generated/handlers.js";
import { STREAMED, type HandlerReply, type RequestContext } from "../../server/context.js";
import { notFound } from "../../server/errors.js";
import { findEntries } from "../../files/find-files.js";
import { projectRootOf, relativeToRoot, resolveProjectPath } from "../../files/project-paths.js";
import { located } from "./location.js";

export const filesystemHandlers = {
  "v2.fs.read": async (_input, ctx): Promise<HandlerReply> => {
    const file = resolveProjectPath(ctx.directory, decodeURIComponent(ctx.wildcard ?? ""));
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw notFound(`File not found: ${ctx.wildcard}`);
    ctx.res
      .status(200)
      .type("application/octet-stream")
      .send(await readFile(file));
    return STREAMED;
  },
  "v2.fs.list": async ({ query }, ctx) => {
    const dir = resolveProjectPath(ctx.directory, query.path ?? ".");
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
      throw notFound(`Directory not found: ${query.path ?? "."}`);
    });
    return located(
      ctx,
      entries
        .filter((e) => e.name !== ".git" && (e.isFile() || e.isDirectory()))
        .sort((a, b) => Number(b.isDirectory()) - Number(a.isDirectory()) || a.name.localeCompare(b.name))
        .map((e) => ({
          path: relativeToRoot(ctx.directory, path.join(dir, e.name)),
          type: e.isDirectory() ? ("directory" as const) : ("file" as const),
        })),
    );
  },
  "v2.fs.find": async ({ query }, ctx) => {
    const found = await findEntries(projectRootOf(ctx.directory), query.query, {
      type: query.type,
      limit: query.limit === undefined ? undefined : Number(query.limit),
    });
    // Folders keep their trailing "/", as upstream answers them ("readers/").
    return located(
      ctx,
      found.map((e) => ({ path: e.path, type: e.type })),
    );
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
