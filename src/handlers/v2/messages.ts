// Handlers of the spec tag "messages" (v2): a session's messages in the v2 shapes, paged.
import type { HandlerMap } from "../../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../../server/context.js";
import { page } from "../../v2/paging.js";
import { sessionForV2, toSessionMessage } from "../../v2/session-shapes.js";

const DEFAULT_LIMIT = 100;

export const messagesHandlers = {
  "v2.session.messages": async ({ params, query }, ctx) => {
    await sessionForV2(ctx.services.store, params.sessionID);
    const messages = (await ctx.services.store.listMessages(params.sessionID)).map(toSessionMessage);
    if (query.order === "desc") messages.reverse();
    return page(messages, query.cursor, Number(query.limit ?? DEFAULT_LIMIT));
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
