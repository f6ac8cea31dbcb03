// Handlers of the spec tag "permissions" (v2): pending permission requests, replies, the rules a
// project remembers from "always" answers, and asking on a client's behalf.
import type { HandlerMap } from "../../../generated/handlers.js";
import { sessionRules } from "../../session/session-rules.js";
import { Reply, type HandlerReply, type RequestContext } from "../../server/context.js";
import { declaredError } from "../../server/errors.js";
import { permissionNotFound } from "../../permission/permission-service.js";
import { chooseAgent } from "../../session/agent-choice.js";
import { createId } from "../../id.js";
import { inRequestDirectory, located } from "./location.js";
import { sessionForV2, toPermissionV2 } from "../../v2/session-shapes.js";

function sessionOf(ctx: RequestContext, sessionID: string) {
  return sessionForV2(ctx.services.store, sessionID);
}

/** A remembered rule's id: its permission and pattern, so the same rule has the same id. */
function savedID(permission: string, pattern: string): string {
  return Buffer.from(JSON.stringify([permission, pattern])).toString("base64url");
}

export const permissionsHandlers = {
  "v2.permission.request.list": async (_input, ctx) =>
    located(ctx, (await inRequestDirectory(ctx, await ctx.services.permissions.list())).map(toPermissionV2)),
  "v2.session.permission.list": async ({ params }, ctx) => {
    await sessionOf(ctx, params.sessionID);
    return {
      data: (await ctx.services.permissions.list()).filter((r) => r.sessionID === params.sessionID).map(toPermissionV2),
    };
  },
  "v2.session.permission.get": async ({ params }, ctx) => {
    await sessionOf(ctx, params.sessionID);
    const request = await ctx.services.permissions.find(params.requestID);
    if (request?.sessionID !== params.sessionID) throw permissionNotFound(params.requestID);
    return { data: toPermissionV2(request) };
  },
  "v2.session.permission.reply": async ({ params, body }, ctx) => {
    await sessionOf(ctx, params.sessionID);
    if ((await ctx.services.permissions.find(params.requestID))?.sessionID !== params.sessionID) throw permissionNotFound(params.requestID);
    await ctx.services.permissions.reply(params.requestID, body!.reply, body!.message);
    return new Reply(204);
  },
  // A client asks on the session's behalf: the rules decide at once, or the request waits for a reply.
  "v2.session.permission.create": async ({ params, body }, ctx) => {
    const session = await sessionOf(ctx, params.sessionID);
    const input = body!;
    const config = await ctx.services.configs.forDirectory(session.directory);
    const agent = await chooseAgent(session, config, input.agent);
    const project = await ctx.services.projects.locate(session.directory);
    const ask = {
      id: input.id ?? createId("per"),
      sessionID: session.id,
      projectID: project.id,
      permission: input.action,
      patterns: input.resources,
      always: input.save ?? input.resources,
      metadata: (input.metadata ?? {}) as Record<string, unknown>,
      ...(input.source ? { tool: { messageID: input.source.messageID, callID: input.source.callID } } : {}),
      rules: sessionRules(agent, session),
      signal: new AbortController().signal,
    };
    const effect = await ctx.services.permissions.decide(ask);
    // Answered once the request is asked (listed on every node), not once it is replied to.
    if (effect === "ask")
      await new Promise<void>(
        (asked) =>
          void ctx.services.permissions
            .ask({ ...ask, onAsked: asked })
            .catch(() => undefined)
            .finally(asked),
      );
    return { data: { id: ask.id, effect } };
  },
  "v2.permission.saved.list": async ({ query }, ctx) => {
    const projectID = query.projectID ?? (await ctx.services.projects.locate(ctx.directory)).id;
    const rules = await ctx.services.store.getRememberedPermissions(projectID);
    return {
      data: rules.map((rule) => ({
        id: savedID(rule.permission, rule.pattern),
        projectID,
        action: rule.permission,
        resource: rule.pattern,
      })),
    };
  },
  "v2.permission.saved.remove": async ({ params }, ctx) => {
    const projectID = (await ctx.services.projects.locate(ctx.directory)).id;
    const rules = await ctx.services.store.getRememberedPermissions(projectID);
    const kept = rules.filter((rule) => savedID(rule.permission, rule.pattern) !== params.id);
    if (kept.length === rules.length)
      throw declaredError("v2.permission.saved.remove", {
        status: 400,
        body: { _tag: "InvalidRequestError", message: `No saved permission ${params.id}`, field: "id" },
      });
    await ctx.services.store.putRememberedPermissions(projectID, kept);
    return new Reply(204);
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
