// Handlers of the spec tag "models" (v2).
import type { HandlerMap } from "../../../generated/handlers.js";
import type { Provider } from "../../../generated/schemas.js";
import type { HandlerReply, RequestContext } from "../../server/context.js";
import { upstreamCatalogue, upstreamModelsV2, type ModelsV2Form } from "../../provider/catalogue.js";
import { providerModelsV2 } from "../../v2/catalog-shapes.js";
import { catalogOf } from "./catalog.js";
import { located } from "./location.js";

/** What upstream recorded for a provider connected as this one is; none for configured ones. */
function recordedFor(provider: Provider): ModelsV2Form | undefined {
  if (provider.source === "env" || provider.source === "api") return upstreamModelsV2().get(`env:${provider.id}`);
  if (provider.source === "custom" && upstreamCatalogue().keyless.has(provider.id)) return upstreamModelsV2().get(`keyless:${provider.id}`);
  return undefined;
}

export const modelsHandlers = {
  "v2.model.list": async (_input, ctx) => {
    const catalog = await catalogOf(ctx);
    // Newest first, as upstream lists them; the same day in the order of the connected providers.
    const models = catalog.connected
      .map((id) => catalog.byID.get(id)!)
      .flatMap((provider) => providerModelsV2(provider, recordedFor(provider), process.env))
      .sort((a, b) => b.time.released - a.time.released);
    return located(ctx, models);
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
