// Handlers of the spec tag "sessions" (v2 /api/session): the same sessions and runs as the v1
// routes, in the v2 shapes (src/v2/session-shapes.ts); the durable session.next.* history is the
// session log (src/v2/durable-log.ts), derived from the stored messages for sessions older than it.
import type { HandlerMap } from "../../../generated/handlers.js";
import { Reply, STREAMED, type HandlerReply, type RequestContext } from "../../server/context.js";
import { resumeCursor, streamSessionLive } from "../../server/v2-streams.js";
import { declaredError, HttpError } from "../../server/errors.js";
import { switchAgent, switchModel } from "../../session/session-switch.js";
import { createId } from "../../id.js";
import { page } from "../../v2/paging.js";
import { sessionContext } from "../../session/session-context.js";
import { partsOfPrompt, sessionForV2, toSessionMessage, toSessionV2 } from "../../v2/session-shapes.js";

const NO_CONTENT = new Reply(204);

function sessionOf(ctx: RequestContext, sessionID: string) {
  return sessionForV2(ctx.services.store, sessionID);
}

function switchDeps(ctx: RequestContext) {
  return { sessions: ctx.services.sessions, config: ctx.services.configs };
}

function invalid(message: string, field?: string): HttpError {
  return new HttpError(400, { _tag: "InvalidRequestError", message, ...(field ? { field } : {}) });
}

export const sessionsHandlers = {
  "v2.session.list": async ({ query }, ctx) => {
    const directory = query.directory ?? ctx.directory;
    const sessions = (await ctx.services.sessions.list(directory, { ...(query.search ? { search: query.search } : {}) }))
      .filter((s) => !query.project || s.projectID === query.project)
      .sort((a, b) => (query.order === "asc" ? a.time.updated - b.time.updated : b.time.updated - a.time.updated));
    return page(sessions.map(toSessionV2), query.cursor, Number(query.limit ?? 50));
  },
  "v2.session.create": async ({ body }, ctx) => {
    const input = body ?? {};
    let session = await ctx.services.sessions.create(input.location?.directory ?? ctx.directory, {});
    if (input.agent) session = await switchAgent(switchDeps(ctx), session.id, input.agent, false);
    if (input.model) session = await switchModel(switchDeps(ctx), session.id, input.model);
    return { data: toSessionV2(session) };
  },
  "v2.session.get": async ({ params }, ctx) => ({ data: toSessionV2(await sessionOf(ctx, params.sessionID)) }),
  "v2.session.active": async (_input, ctx) => ({
    data: Object.fromEntries(Object.keys(await ctx.services.runs.statuses()).map((id) => [id, { type: "running" as const }])),
  }),
  "v2.session.switchAgent": async ({ params, body }, ctx) => {
    await switchAgent(switchDeps(ctx), params.sessionID, body!.agent);
    return NO_CONTENT;
  },
  "v2.session.switchModel": async ({ params, body }, ctx) => {
    await switchModel(switchDeps(ctx), params.sessionID, body!.model);
    return NO_CONTENT;
  },
  // The prompt is stored at once; queued (one run at a time per session), or steered into the running
  // turn's next step; the answer says it was admitted, with the seq of its admission event.
  "v2.session.prompt": async ({ params, body }, ctx) => {
    const session = await sessionOf(ctx, params.sessionID);
    const input = body!;
    const messageID = input.id ?? createId("msg");
    const { parts, files } = partsOfPrompt(input.prompt);
    const admitted = Date.now();
    // Upstream's default (opencode 1.18.33 answers `delivery: "steer"` for a prompt that names none).
    const delivery = input.delivery ?? "steer";
    const { queued } = await ctx.services.prompts.prompt(session.id, { messageID, parts } as never, { delivery });
    queued.catch(() => undefined);
    // As upstream: the seq of the admission event in the session's durable history.
    const seq = (await ctx.services.sessionLog.seqOf(session.id, "session.next.prompt.admitted", messageID)) ?? 0;
    return {
      data: {
        admittedSeq: seq,
        id: messageID,
        sessionID: session.id,
        prompt: {
          text: input.prompt.text,
          ...(files.length ? { files } : {}),
          ...(input.prompt.agents ? { agents: input.prompt.agents } : {}),
        },
        delivery,
        timeCreated: admitted,
      },
    };
  },
  "v2.session.wait": async ({ params }, ctx) => {
    await sessionOf(ctx, params.sessionID);
    await ctx.services.prompts.whenRunEnds(params.sessionID);
    return NO_CONTENT;
  },
  "v2.session.interrupt": async ({ params }, ctx) => {
    await sessionOf(ctx, params.sessionID);
    await ctx.services.lifecycle.stop(params.sessionID);
    return NO_CONTENT;
  },
  "v2.session.compact": async ({ params }, ctx) => {
    const session = await sessionOf(ctx, params.sessionID);
    if (!session.model) throw invalid("The session has no model yet: prompt it, or switch its model, first");
    await ctx.services.prompts.summarize(session.id, { providerID: session.model.providerID, modelID: session.model.id });
    return NO_CONTENT;
  },
  "v2.session.message": async ({ params }, ctx) => {
    await sessionOf(ctx, params.sessionID);
    const message = await ctx.services.store.getMessage(params.sessionID, params.messageID);
    if (!message)
      throw declaredError("v2.session.message", {
        status: 404,
        body: {
          _tag: "MessageNotFoundError",
          sessionID: params.sessionID,
          messageID: params.messageID,
          message: `Message not found: ${params.messageID}`,
        },
      });
    return { data: toSessionMessage(message) };
  },
  // What the agent sees now: the messages since the last compaction, without reverted ones.
  "v2.session.context": async ({ params }, ctx) => {
    const session = await sessionOf(ctx, params.sessionID);
    return { data: (await sessionContext(ctx.services.store, session)).map(toSessionMessage) };
  },
  "v2.session.history": async ({ params, query }, ctx) => {
    const session = await sessionOf(ctx, params.sessionID);
    const after = Number(query.after ?? 0) || 0;
    const limit = Number(query.limit ?? 100) || 100;
    const events = await ctx.services.sessionLog.history(session, after);
    return { data: events.slice(0, limit), hasMore: events.length > limit };
  },
  "v2.session.events": async ({ params, query }, ctx): Promise<HandlerReply> => {
    const session = await sessionOf(ctx, params.sessionID);
    void streamSessionLive(ctx, session, resumeCursor(ctx, query.after));
    return STREAMED;
  },
  "v2.session.revert.stage": async ({ params, body }, ctx) => {
    await sessionOf(ctx, params.sessionID);
    const session = await ctx.services.reverts.revert(params.sessionID, body!.messageID);
    return { data: toSessionV2(session).revert ?? { messageID: body!.messageID } };
  },
  "v2.session.revert.clear": async ({ params }, ctx) => {
    await sessionOf(ctx, params.sessionID);
    await ctx.services.reverts.unrevert(params.sessionID);
    return NO_CONTENT;
  },
  "v2.session.revert.commit": async ({ params }, ctx) => {
    await sessionOf(ctx, params.sessionID);
    await ctx.services.reverts.commit(params.sessionID);
    return NO_CONTENT;
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
