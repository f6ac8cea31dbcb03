// Handlers of the spec tag "session questions" (v2): questions the agents asked, answered or dismissed.
import type { HandlerMap } from "../../../generated/handlers.js";
import { questionNotFound } from "../../question/question-service.js";
import { Reply, type HandlerReply, type RequestContext } from "../../server/context.js";
import { inRequestDirectory, located } from "./location.js";
import { sessionForV2, toQuestionV2 } from "../../v2/session-shapes.js";

async function pendingOf(ctx: RequestContext, sessionID: string) {
  await sessionForV2(ctx.services.store, sessionID);
  return (await ctx.services.questions.list()).filter((q) => q.sessionID === sessionID);
}

async function requireQuestion(ctx: RequestContext, sessionID: string, requestID: string): Promise<void> {
  if (!(await pendingOf(ctx, sessionID)).some((q) => q.id === requestID)) throw questionNotFound(requestID);
}

export const sessionQuestionsHandlers = {
  "v2.question.request.list": async (_input, ctx) =>
    located(ctx, (await inRequestDirectory(ctx, await ctx.services.questions.list())).map(toQuestionV2)),
  "v2.session.question.list": async ({ params }, ctx) => ({ data: (await pendingOf(ctx, params.sessionID)).map(toQuestionV2) }),
  "v2.session.question.reply": async ({ params, body }, ctx) => {
    await requireQuestion(ctx, params.sessionID, params.requestID);
    await ctx.services.questions.reply(params.requestID, body!.answers);
    return new Reply(204);
  },
  "v2.session.question.reject": async ({ params }, ctx) => {
    await requireQuestion(ctx, params.sessionID, params.requestID);
    await ctx.services.questions.reject(params.requestID);
    return new Reply(204);
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
