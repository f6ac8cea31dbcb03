// Handlers of the spec tag "skills" (v2).
import type { HandlerMap } from "../../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../../server/context.js";
import { skillsOf } from "./catalog.js";
import { located } from "./location.js";

export const skillsHandlers = {
  "v2.skill.list": async (_input, ctx) => located(ctx, await skillsOf(ctx)),
} satisfies HandlerMap<RequestContext, HandlerReply>;
