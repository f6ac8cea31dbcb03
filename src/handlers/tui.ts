// Handlers of the spec tag "tui": remote control of an attached TUI. Each call publishes the
// tui.* event the TUI listens for on its event stream and answers true, attached TUI or not.
import type { EventProperties, EventType } from "../bus/event-bus.js";
import type { HandlerMap } from "../../generated/handlers.js";
import { publishForDirectory } from "../bus/instance-events.js";
import { STREAMED, type HandlerReply, type RequestContext } from "../server/context.js";

/** The old command names some clients still send, and the TUI command each one means. */
const COMMAND_ALIASES: Record<string, string> = {
  session_new: "session.new",
  session_share: "session.share",
  session_interrupt: "session.interrupt",
  session_compact: "session.compact",
  messages_page_up: "session.page.up",
  messages_page_down: "session.page.down",
  messages_line_up: "session.line.up",
  messages_line_down: "session.line.down",
  messages_half_page_up: "session.half.page.up",
  messages_half_page_down: "session.half.page.down",
  messages_first: "session.first",
  messages_last: "session.last",
  agent_cycle: "agent.cycle",
};

async function publish<T extends EventType>(ctx: RequestContext, type: T, properties: EventProperties<T>): Promise<true> {
  await publishForDirectory(ctx.services, ctx.directory, type, properties);
  return true;
}

const command = (ctx: RequestContext, name: string) => publish(ctx, "tui.command.execute", { command: name });

/** Aborts when the client goes away before its answer is written (a controller that stops waiting). */
function requestGone(ctx: RequestContext): AbortSignal {
  const controller = new AbortController();
  ctx.res.on("close", () => {
    if (!ctx.res.writableEnded) controller.abort(new Error("client disconnected"));
  });
  return controller.signal;
}

export const tuiHandlers = {
  "tui.appendPrompt": ({ body }, ctx) => publish(ctx, "tui.prompt.append", { text: body!.text }),
  "tui.openHelp": (_input, ctx) => command(ctx, "help.show"),
  "tui.openSessions": (_input, ctx) => command(ctx, "session.list"),
  // Upstream 1.18.33 sends the session list command here too (it has no theme command event).
  "tui.openThemes": (_input, ctx) => command(ctx, "session.list"),
  "tui.openModels": (_input, ctx) => command(ctx, "model.list"),
  "tui.submitPrompt": (_input, ctx) => command(ctx, "prompt.submit"),
  "tui.clearPrompt": (_input, ctx) => command(ctx, "prompt.clear"),
  // Old underscore names are translated; any other name goes to the TUI as given.
  "tui.executeCommand": ({ body }, ctx) => command(ctx, COMMAND_ALIASES[body!.command] ?? body!.command),
  "tui.showToast": ({ body }, ctx) => publish(ctx, "tui.toast.show", { ...body! }),
  "tui.publish": ({ body }, ctx) => publish(ctx, body!.type, { ...body!.properties }),
  "tui.selectSession": async ({ body }, ctx) => {
    await ctx.services.sessions.get(body!.sessionID);
    return publish(ctx, "tui.session.select", { sessionID: body!.sessionID });
  },
  "tui.control.next": async (_input, ctx) => {
    const gone = requestGone(ctx);
    try {
      const request = await ctx.services.tui.nextRequest(gone);
      return { path: request.path, body: request.body ?? null };
    } catch (error) {
      // The controller went away while it waited: there is no one to answer, and nothing failed.
      if (gone.aborted) return STREAMED;
      throw error;
    }
  },
  "tui.control.response": ({ body }, ctx) => {
    ctx.services.tui.respond(body);
    return true;
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
