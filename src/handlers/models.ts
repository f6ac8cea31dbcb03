// Handlers of the spec tag "models" (v2).
import type { HandlerMap } from "../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { catalogOf } from "../v2/catalog.js";
import { toModelV2 } from "../v2/catalog-shapes.js";
import { located } from "../v2/location.js";

export const modelsHandlers = {
  "v2.model.list": async (_input, ctx) =>
    located(
      ctx,
      (await catalogOf(ctx)).all.flatMap((provider) => Object.values(provider.models).map(toModelV2)),
    ),
} satisfies HandlerMap<RequestContext, HandlerReply>;
