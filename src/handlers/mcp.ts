// Handlers of the spec tag "mcp": the directory's MCP servers. No server here signs in with
// OAuth (the SDK's auth flow needs a browser and a callback this server does not run), so the
// auth routes answer a clear error for servers that exist.
import type { HandlerMap } from "../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { HttpError } from "../server/errors.js";
import { serverNotFound } from "../mcp/mcp-service.js";

async function known(ctx: RequestContext, name: string): Promise<void> {
  if (!(await ctx.services.mcp.has(ctx.directory, name))) throw serverNotFound(name);
}

function noOAuth(name: string): HttpError {
  return new HttpError(400, {
    error: `MCP server ${name} does not use OAuth on this server: give its credentials in headers or environment`,
  });
}

export const mcpHandlers = {
  "mcp.status": (_input, ctx) => ctx.services.mcp.status(ctx.directory),
  "mcp.add": ({ body }, ctx) => ctx.services.mcp.add(ctx.directory, body!.name, body!.config),
  "mcp.connect": async ({ params }, ctx) => {
    await ctx.services.mcp.connect(ctx.directory, params.name);
    return true;
  },
  "mcp.disconnect": async ({ params }, ctx) => {
    await ctx.services.mcp.disconnect(ctx.directory, params.name);
    return true;
  },
  "mcp.auth.start": async ({ params }, ctx) => {
    await known(ctx, params.name);
    throw noOAuth(params.name);
  },
  "mcp.auth.authenticate": async ({ params }, ctx) => {
    await known(ctx, params.name);
    throw noOAuth(params.name);
  },
  "mcp.auth.callback": async ({ params }, ctx) => {
    await known(ctx, params.name);
    throw new HttpError(400, { _tag: "InvalidRequestError", message: `No OAuth sign-in of ${params.name} is under way` });
  },
  // No OAuth credentials are ever stored here, so there is nothing to remove: done.
  "mcp.auth.remove": async ({ params }, ctx) => {
    await known(ctx, params.name);
    return { success: true as const };
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
