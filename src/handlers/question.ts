// Handlers of the spec tag "question".
import type { HandlerMap } from "../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../server/context.js";

export const questionHandlers = {
  "question.list": (_input, ctx) => ctx.services.questions.list(),
  "question.reply": async ({ params, body }, ctx) => {
    await ctx.services.questions.reply(params.requestID, body!.answers);
    return true;
  },
  "question.reject": async ({ params }, ctx) => {
    await ctx.services.questions.reject(params.requestID);
    return true;
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
