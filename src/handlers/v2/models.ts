// Handlers of the spec tag "models" (v2).
import type { HandlerMap } from "../../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../../server/context.js";
import { catalogOf } from "./catalog.js";
import { toModelV2 } from "../../v2/catalog-shapes.js";
import { located } from "./location.js";

export const modelsHandlers = {
  "v2.model.list": async (_input, ctx) =>
    located(
      ctx,
      // Newest first, as upstream lists them.
      [...(await catalogOf(ctx)).byID.values()]
        .flatMap((provider) => Object.values(provider.models).map((model) => toModelV2(model, provider)))
        .sort((a, b) => b.time.released - a.time.released),
    ),
} satisfies HandlerMap<RequestContext, HandlerReply>;
