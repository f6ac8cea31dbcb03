// Handlers of the spec tag "events" (v2): the event stream of every directory, in the v2 envelope,
// with the logged session.next.* events; resumable with Last-Event-ID (or ?after=).
import type { HandlerMap } from "../../../generated/handlers.js";
import { STREAMED, type HandlerReply, type RequestContext } from "../../server/context.js";
import { resumeCursor, streamV2Live } from "../../server/v2-streams.js";

export const eventsHandlers = {
  "v2.event.subscribe": (_input, ctx) => {
    // `after` is ours (the spec declares no query here): read from the URL itself.
    const after = new URL(ctx.req.originalUrl, "http://localhost").searchParams.get("after") ?? undefined;
    void streamV2Live(ctx, resumeCursor(ctx, after));
    return STREAMED;
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
