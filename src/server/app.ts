// The HTTP application: CORS, auth, the served document at /doc, the web console (console.ts),
// JSON bodies, then every other request through openapi-backend to its handler.
import express, { type ErrorRequestHandler } from "express";
import type { Logger } from "pino";
import { loadServedSpec } from "../contract/served-spec.js";
import { handlers as defaultHandlers } from "../handlers/index.js";
import { authMiddleware, type Credentials } from "./auth.js";
import type { HandlerReply, RequestContext } from "./context.js";
import type { ServerConfig, Services } from "../app/service-types.js";
import { consoleMiddleware, apiPrefixes } from "./console.js";
import { corsMiddleware } from "./cors.js";
import { Dispatcher, type OperationObserver } from "./dispatch.js";
import { HttpError } from "./errors.js";
import { createBackend } from "./openapi.js";
import { apiFastPath } from "./fast-path.js";
import { createServices } from "../app/services.js";
import type { PromptServiceOptions } from "../app/services.js";
import type { HandlerMap } from "../../generated/handlers.js";

export interface AppOptions {
  config: ServerConfig;
  log: Logger;
  credentials?: Credentials;
  /** Told of every answered operation (the tests' coverage record). */
  observe?: OperationObserver;
  /** Replaces the handler table (tests of the dispatcher itself). */
  handlers?: HandlerMap<RequestContext, HandlerReply>;
  /** Prompt loop settings (tests shorten provider retry waits). */
  prompt?: PromptServiceOptions;
  /** The built web console to serve (default: web/dist). */
  consoleDist?: string;
}

function bodyErrorHandler(dispatcher: Dispatcher, services: Services): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const ctx = { req, res, directory: services.config.projectDirectory, wildcard: undefined, services, log: services.log };
    const type = (error as { type?: string }).type;
    if (type === "entity.parse.failed") {
      const operationId = dispatcher.operationOf(req);
      const reason = `Malformed JSON in request body: ${(error as Error).message}`;
      dispatcher.sendError(ctx, operationId, dispatcher.rejection(operationId, reason, "Payload"));
    } else if (type === "entity.too.large") {
      dispatcher.sendError(ctx, undefined, new HttpError(413, { name: "PayloadTooLarge", data: { message: "Request body too large" } }));
    } else if (res.headersSent) {
      services.log.error({ err: error, url: req.originalUrl }, "error after the answer started");
      res.end();
    } else {
      // sendError answers an HttpError as it is, anything else as upstream's UnknownError (and logs it).
      dispatcher.sendError(ctx, undefined, error);
    }
  };
}

export async function createApp(options: AppOptions) {
  const doc = loadServedSpec();
  const services = await createServices({ config: options.config, log: options.log, prompt: options.prompt });
  const api = await createBackend(doc);
  const dispatcher = new Dispatcher(api, options.handlers ?? defaultHandlers, services, options.observe);

  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  app.set("query parser", false);
  const cors = corsMiddleware(options.config.corsOrigins);
  const auth = authMiddleware(options.credentials);
  const prefixes = apiPrefixes(doc.paths);
  const onError = bodyErrorHandler(dispatcher, services);
  app.use(cors);
  app.use(auth);
  app.get("/doc", (_req, res) => {
    res.json(doc);
  });
  app.use(consoleMiddleware({ apiPrefixes: prefixes, dist: options.consoleDist }));
  const jsonBody = express.json({ limit: "50mb", type: ["application/json", "application/*+json"] });
  app.use(jsonBody);
  app.use(dispatcher.middleware);
  app.use(onError);
  // The HTTP server's listener: API requests skip express's router (./fast-path.ts), the rest is `app`.
  const { listener, serverOptions } = apiFastPath(app, {
    apiPrefixes: prefixes,
    before: [cors, auth, jsonBody],
    dispatch: dispatcher.middleware,
    onError,
  });
  return { app, listener, serverOptions, services, api };
}
