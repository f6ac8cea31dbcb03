// Handlers of the spec tag "integrations" (v2): providers as integrations, connected with a key.
// There is no OAuth sign-in here (no provider plugins): those routes answer a clear error.
import type { HandlerMap } from "../../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../../server/context.js";
import { declaredError, HttpError, notFound } from "../../server/errors.js";
import { integrationProviders } from "./catalog.js";
import { toIntegration } from "../../v2/catalog-shapes.js";
import { located } from "./location.js";

async function integration(ctx: RequestContext, id: string) {
  const provider = (await integrationProviders(ctx)).find((p) => p.id === id);
  if (!provider) throw notFound(`Integration not found: ${id}`);
  const label = ctx.services.credentials.labelOf(id);
  return toIntegration(provider, label ? { id, label } : undefined, process.env);
}

function noAttempt(attemptID: string): HttpError {
  return notFound(`No sign-in attempt ${attemptID}: this server offers no OAuth sign-in`);
}

export const integrationsHandlers = {
  "v2.integration.list": async (_input, ctx) =>
    located(ctx, await Promise.all((await integrationProviders(ctx)).map((p) => integration(ctx, p.id)))),
  "v2.integration.get": async ({ params }, ctx) => located(ctx, await integration(ctx, params.integrationID)),
  "v2.integration.connect.key": async ({ params, body }, ctx) => {
    await integration(ctx, params.integrationID);
    if (!body!.key.trim())
      throw declaredError("v2.integration.connect.key", {
        status: 400,
        body: { _tag: "InvalidRequestError", message: "The key is empty", field: "key" },
      });
    ctx.services.credentials.set(params.integrationID, { type: "api", key: body!.key });
    if (body!.label) ctx.services.credentials.setLabel(params.integrationID, body!.label);
  },
  "v2.integration.connect.oauth": async ({ params }, ctx) => {
    await integration(ctx, params.integrationID);
    throw declaredError("v2.integration.connect.oauth", {
      status: 400,
      body: {
        _tag: "InvalidRequestError",
        message: `${params.integrationID} has no OAuth sign-in on this server: connect it with a key`,
        field: "methodID",
      },
    });
  },
  "v2.integration.attempt.status": ({ params }) => {
    throw noAttempt(params.attemptID);
  },
  "v2.integration.attempt.cancel": ({ params }) => {
    throw noAttempt(params.attemptID);
  },
  "v2.integration.attempt.complete": ({ params }) => {
    throw noAttempt(params.attemptID);
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
