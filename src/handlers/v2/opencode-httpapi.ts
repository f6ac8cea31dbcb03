// Handlers of the spec tag "opencode HttpApi" (v2): health, location, agents, credentials.
import type { HandlerMap } from "../../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../../server/context.js";
import { notFound } from "../../server/errors.js";
import { agentsOf } from "./catalog.js";
import { toAgentV2 } from "../../v2/catalog-shapes.js";
import { located, locationOf } from "./location.js";

export const opencodeHttpApiHandlers = {
  "v2.health.get": () => ({ healthy: true as const }),
  "v2.location.get": (_input, ctx) => locationOf(ctx),
  "v2.agent.list": async (_input, ctx) => located(ctx, (await agentsOf(ctx)).map(toAgentV2)),
  // A credential is the key stored for a provider (auth.set, or an integration's key): its id is the provider's.
  "v2.credential.update": ({ params, body }, ctx) => {
    if (!ctx.services.credentials.setLabel(params.credentialID, body!.label))
      throw notFound(`Credential not found: ${params.credentialID}`);
  },
  "v2.credential.remove": ({ params }, ctx) => {
    if (!ctx.services.credentials.get(params.credentialID)) throw notFound(`Credential not found: ${params.credentialID}`);
    ctx.services.credentials.remove(params.credentialID);
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
