// Handlers of the spec tag "provider".
import type { HandlerMap } from "../../generated/handlers.js";
import { providerAuthMethods } from "../provider/provider-list.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { HttpError } from "../server/errors.js";

function noOAuth(providerID: string): HttpError {
  return new HttpError(400, {
    name: "ProviderAuthOauthMissing",
    data: { providerID, message: `Provider ${providerID} has no OAuth login on this server: give its API key with auth.set` },
  });
}

async function catalogFor(ctx: RequestContext) {
  return ctx.services.models.providers(await ctx.services.configs.forDirectory(ctx.directory));
}

export const providerHandlers = {
  "provider.list": async (_input, ctx) => {
    const list = await catalogFor(ctx);
    return { all: list.all, default: list.default, connected: list.connected };
  },
  "provider.auth": () => providerAuthMethods(),
  // No provider here logs in with OAuth: keys come from the config, the environment or auth.set.
  "provider.oauth.authorize": ({ params }) => {
    throw noOAuth(params.providerID);
  },
  "provider.oauth.callback": ({ params }) => {
    throw noOAuth(params.providerID);
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
