// The handler table: every real handler, keyed by operationId. Operations missing here answer
// the generated 501 stub. ENDPOINTS.md is generated from this table.
import type { HandlerMap } from "../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { eventHandlers } from "./event.js";
import { globalHandlers } from "./global.js";
import { instanceHandlers } from "./instance.js";

export const handlers: HandlerMap<RequestContext, HandlerReply> = {
  ...globalHandlers,
  ...eventHandlers,
  ...instanceHandlers,
};
