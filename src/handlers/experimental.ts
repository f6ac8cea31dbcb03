// Handlers of the spec tag "experimental".
import { queryFlag } from "./query-flag.js";
import type { HandlerMap } from "../../generated/handlers.js";
import { Reply, type HandlerReply, type RequestContext } from "../server/context.js";
import { badRequest } from "../server/errors.js";
import { listGlobalSessions } from "../session/global-session-list.js";
import { toolIds, toolsForDefaultAgent } from "../tool/tool-catalogue.js";

const DEFAULT_SESSION_PAGE = 100;

export const experimentalHandlers = {
  "experimental.resource.list": (_input, ctx) => ctx.services.mcp.resources(ctx.directory),
  // Sub-agents always run in the foreground here.
  "experimental.capabilities.get": () => ({ backgroundSubagents: false }),
  // No OpenCode Console account can be logged in here: what upstream answers when logged out.
  "experimental.console.get": () => ({ consoleManagedProviders: [], switchableOrgCount: 0 }),
  "experimental.console.listOrgs": () => ({ orgs: [] }),
  "experimental.console.switchOrg": ({ body }) => {
    throw badRequest(`No OpenCode Console account is logged in on this server: cannot switch to org ${body!.orgID}`, "Payload");
  },
  "tool.ids": async (_input, ctx) => toolIds(await ctx.services.plugins.tools(ctx.directory)),
  "tool.list": async (_input, ctx) =>
    toolsForDefaultAgent(
      await ctx.services.configs.forDirectory(ctx.directory),
      ctx.directory,
      await ctx.services.plugins.tools(ctx.directory),
    ),
  "experimental.session.list": async ({ query }, ctx) => {
    const limit = query.limit ?? DEFAULT_SESSION_PAGE;
    const { sessions, more } = await listGlobalSessions(ctx.services.store, {
      directory: query.directory,
      roots: queryFlag(query.roots),
      start: query.start,
      cursor: query.cursor,
      search: query.search,
      limit,
      archived: queryFlag(query.archived),
    });
    // Like upstream: the cursor of the next page travels in a header.
    const headers: Record<string, string> = more && sessions.length ? { "x-next-cursor": String(sessions.at(-1)!.time.updated) } : {};
    return new Reply(200, sessions, headers);
  },
  // Without background sub-agents there is nothing to move to the background.
  "experimental.session.background": () => false,
  "worktree.list": (_input, ctx) => ctx.services.worktrees.list(ctx.directory),
  "worktree.create": ({ body }, ctx) => ctx.services.worktrees.create(ctx.directory, body ?? {}),
  "worktree.remove": async ({ body }, ctx) => {
    await ctx.services.worktrees.remove(ctx.directory, body!);
    return true;
  },
  "worktree.reset": async ({ body }, ctx) => {
    await ctx.services.worktrees.reset(ctx.directory, body!);
    return true;
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
