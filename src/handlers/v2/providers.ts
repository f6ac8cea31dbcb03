// Handlers of the spec tag "providers" (v2).
import type { HandlerMap } from "../../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../../server/context.js";
import { declaredError } from "../../server/errors.js";
import { catalogOf } from "./catalog.js";
import { toProviderV2 } from "../../v2/catalog-shapes.js";
import { located } from "./location.js";

export const providersHandlers = {
  "v2.provider.list": async (_input, ctx) => located(ctx, [...(await catalogOf(ctx)).byID.values()].map(toProviderV2)),
  "v2.provider.get": async ({ params }, ctx) => {
    const provider = (await catalogOf(ctx)).all.find((p) => p.id === params.providerID);
    if (!provider)
      throw declaredError("v2.provider.get", {
        status: 404,
        body: { _tag: "ProviderNotFoundError", providerID: params.providerID, message: `Provider not found: ${params.providerID}` },
      });
    return located(ctx, toProviderV2(provider));
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
