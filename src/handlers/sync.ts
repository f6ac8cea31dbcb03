// Handlers of the spec tag "sync": the durable session events for clients and servers that
// catch up or hand sessions over, and the status of the workspaces sessions live in.
import type { HandlerMap } from "../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { badRequest } from "../server/errors.js";
import { replaySyncEvents } from "../sync/sync-replay.js";

export const syncHandlers = {
  // Upstream starts a sync loop per remote workspace with sessions; local ones only get their status checked.
  "sync.start": async (_input, ctx) => {
    const project = await ctx.services.projects.locate(ctx.directory);
    const sessions = await ctx.services.store.listSessions({ projectID: project.id });
    await ctx.services.workspaces.startSyncing(project.id, new Set(sessions.flatMap((s) => (s.workspaceID ? [s.workspaceID] : []))));
    return true;
  },
  "sync.history.list": ({ body }, ctx) => ctx.services.syncLog.history(body ?? {}),
  "sync.replay": async ({ body }, ctx) => ({
    sessionID: await replaySyncEvents(ctx.services, ctx.services.syncLog, body!.directory, body!.events),
  }),
  // Makes the session belong to the workspace the request names (?workspace=).
  "sync.steal": async ({ body, query }, ctx) => {
    const workspaceID = query.workspace;
    if (!workspaceID) throw badRequest("Cannot steal session without workspace context: name the workspace with ?workspace=", "Query");
    if (!(await ctx.services.workspaces.get(workspaceID))) throw badRequest(`Workspace not found: ${workspaceID}`, "Query");
    await ctx.services.sessions.mutate(body!.sessionID, (session) => ({
      ...session,
      workspaceID,
      time: { ...session.time, updated: Date.now() },
    }));
    return { sessionID: body!.sessionID };
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
