// Handlers of the spec tag "commands" (v2).
import type { HandlerMap } from "../../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../../server/context.js";
import { commandsOf } from "./catalog.js";
import { toCommandV2 } from "../../v2/catalog-shapes.js";
import { located } from "./location.js";

export const commandsHandlers = {
  "v2.command.list": async (_input, ctx) => located(ctx, (await commandsOf(ctx)).map(toCommandV2)),
} satisfies HandlerMap<RequestContext, HandlerReply>;
