// Handlers of the spec tag "events" (v2): the event stream of every directory, in the v2 envelope.
import type { HandlerMap } from "../../../generated/handlers.js";
import { STREAMED, type HandlerReply, type RequestContext } from "../../server/context.js";
import { streamV2Events } from "../../server/event-streams.js";

export const eventsHandlers = {
  "v2.event.subscribe": (_input, ctx) => {
    void streamV2Events(ctx);
    return STREAMED;
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
