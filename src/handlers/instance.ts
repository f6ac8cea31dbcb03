// Handlers of the spec tag "instance".
import type { HandlerMap } from "../../generated/handlers.js";
import { listingOrder, loadAgentsShared, toAgentInfo } from "../agent/agents.js";
import { NO_WORKTREE, findWorktree } from "../git/worktree.js";
import { STREAMED, type HandlerReply, type RequestContext } from "../server/context.js";
import { badRequest } from "../server/errors.js";
import { applyPatch, changedFiles, currentBranch, defaultBranch, fileDiffs, rawDiff } from "../git/vcs.js";
import { describePaths } from "../project/paths.js";
import { commandsOf, skillsOf } from "./v2/catalog.js";
import { disposeInstance } from "../instance/instance-lifecycle.js";
import { formatterStatus } from "../format/formatters.js";

export const instanceHandlers = {
  "path.get": (_input, ctx) => describePaths(ctx.directory),
  "app.agents": async (_input, ctx) => {
    const config = await ctx.services.configs.forDirectory(ctx.directory);
    return listingOrder(await loadAgentsShared(config, ctx.directory, findWorktree(ctx.directory)), config).map(toAgentInfo);
  },
  "command.list": (_input, ctx) => commandsOf(ctx),
  "app.skills": (_input, ctx) => skillsOf(ctx),
  "vcs.get": async (_input, ctx) => {
    const worktree = findWorktree(ctx.directory);
    if (worktree === NO_WORKTREE) return {};
    const [branch, main] = await Promise.all([currentBranch(worktree), defaultBranch(worktree)]);
    return { ...(branch ? { branch } : {}), ...(main ? { default_branch: main } : {}) };
  },
  "vcs.status": async (_input, ctx) => {
    const worktree = findWorktree(ctx.directory);
    return worktree === NO_WORKTREE ? [] : changedFiles(worktree);
  },
  "vcs.diff": async ({ query }, ctx) => {
    const worktree = findWorktree(ctx.directory);
    const context = query.context === undefined ? undefined : Number(query.context);
    return worktree === NO_WORKTREE ? [] : fileDiffs(worktree, query.mode, context);
  },
  "vcs.diff.raw": async (_input, ctx): Promise<HandlerReply> => {
    const worktree = findWorktree(ctx.directory);
    ctx.res
      .status(200)
      .type("text/x-diff; charset=utf-8")
      .send(worktree === NO_WORKTREE ? "" : await rawDiff(worktree));
    return STREAMED;
  },
  "vcs.apply": async ({ body }, ctx) => {
    const worktree = findWorktree(ctx.directory);
    if (worktree === NO_WORKTREE) throw badRequest(`Not a git repository: ${ctx.directory}`, "Payload");
    return { applied: await applyPatch(worktree, body!.patch) };
  },
  "instance.dispose": async (_input, ctx) => {
    await disposeInstance(ctx.services, ctx.directory);
    return true;
  },
  "lsp.status": (_input, ctx) => ctx.services.lsp.status(ctx.directory),
  "formatter.status": async (_input, ctx) => formatterStatus(await ctx.services.configs.forDirectory(ctx.directory), ctx.directory),
} satisfies HandlerMap<RequestContext, HandlerReply>;
