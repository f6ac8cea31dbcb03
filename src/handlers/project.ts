// Handlers of the spec tag "project".
import type { HandlerMap } from "../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { GitInitError, initGitRepository } from "../project/projects.js";
import { badRequest } from "../server/errors.js";

export const projectHandlers = {
  "project.list": (_input, ctx) => ctx.services.projects.list(),
  "project.current": (_input, ctx) => ctx.services.projects.forDirectory(ctx.directory),
  // The folders a project lives in: its worktree and its sandboxes (extra git worktrees).
  "project.directories": async ({ params }, ctx) => {
    const project = await ctx.services.store.getProject(params.projectID);
    return project ? [project.worktree, ...project.sandboxes].map((directory) => ({ directory })) : [];
  },
  "project.update": ({ params, body }, ctx) => ctx.services.projects.update(params.projectID, body ?? {}),
  "project.initGit": async (_input, ctx) => {
    await initGitRepository(ctx.directory).catch((error: unknown) => {
      throw error instanceof GitInitError ? badRequest(error.message, "Query") : error;
    });
    ctx.services.projects.reset();
    return ctx.services.projects.forDirectory(ctx.directory);
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
