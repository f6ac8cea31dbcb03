// Handlers of the spec tag "event".
import type { HandlerMap } from "../../generated/handlers.js";
import { STREAMED, type HandlerReply, type RequestContext } from "../server/context.js";
import { streamDirectoryEvents } from "../server/event-streams.js";

export const eventHandlers = {
  "event.subscribe": (_input, ctx) => {
    void streamDirectoryEvents(ctx);
    return STREAMED;
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
