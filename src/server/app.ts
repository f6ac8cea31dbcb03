// The HTTP application: CORS, auth, the served document at /doc, JSON bodies, then every other
// request through openapi-backend to its handler.
import express, { type ErrorRequestHandler } from "express";
import type { Logger } from "pino";
import path from "node:path";
import { EventBus, type ScopedEvent } from "../bus/event-bus.js";
import { Projects } from "../project/projects.js";
import { MessageService } from "../session/message-service.js";
import { RunRegistry } from "../session/run-registry.js";
import { SessionEvents } from "../session/session-events.js";
import { SessionService } from "../session/session-service.js";
import { SqliteStore } from "../storage/sqlite-store.js";
import { loadServedSpec } from "../contract/served-spec.js";
import { handlers as defaultHandlers } from "../handlers/index.js";
import { authMiddleware, type Credentials } from "./auth.js";
import type { HandlerReply, RequestContext, ServerConfig, Services } from "./context.js";
import { corsMiddleware } from "./cors.js";
import { Dispatcher, type OperationObserver } from "./dispatch.js";
import { HttpError, badRequest, unknownError } from "./errors.js";
import { createBackend } from "./openapi.js";
import { SpecSchemas, summarizeErrors } from "./validation.js";
import type { HandlerMap } from "../../generated/handlers.js";

export interface AppOptions {
  config: ServerConfig;
  log: Logger;
  credentials?: Credentials;
  /** Told of every answered operation (the tests' coverage record). */
  observe?: OperationObserver;
  /** Replaces the handler table (tests of the dispatcher itself). */
  handlers?: HandlerMap<RequestContext, HandlerReply>;
}

/** Checks each published event against the spec once, before any stream sends it. */
function eventCheck(schemas: SpecSchemas, config: ServerConfig, log: Logger) {
  return (event: ScopedEvent) => {
    const errors = schemas.check("ServedEvent", event.payload) ?? schemas.check("ServedGlobalEvent", event);
    if (!errors) return;
    const message = `event ${event.payload.type} breaks the spec: ${summarizeErrors(errors, event.payload).join("; ")}`;
    if (config.contractMode === "fail") throw new Error(message);
    log.warn({ event }, message);
  };
}

function bodyErrorHandler(dispatcher: Dispatcher, services: Services): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const ctx = { req, res, directory: services.config.projectDirectory, wildcard: undefined, services, log: services.log };
    const type = (error as { type?: string }).type;
    if (type === "entity.parse.failed") {
      dispatcher.sendError(ctx, undefined, badRequest(`Malformed JSON in request body: ${(error as Error).message}`, "Payload"));
    } else if (type === "entity.too.large") {
      dispatcher.sendError(ctx, undefined, new HttpError(413, { name: "PayloadTooLarge", data: { message: "Request body too large" } }));
    } else if (res.headersSent) {
      services.log.error({ err: error, url: req.originalUrl }, "error after the answer started");
      res.end();
    } else {
      dispatcher.sendError(ctx, undefined, error instanceof HttpError ? error : (unknownError(), error));
    }
  };
}

export async function createApp(options: AppOptions) {
  const doc = loadServedSpec();
  const schemas = new SpecSchemas(doc);
  const bus = new EventBus(eventCheck(schemas, options.config, options.log));
  const store = new SqliteStore(path.join(options.config.dataDirectory, "agentpool.db"));
  // Upstream announces a project on the global stream the first time it sees it.
  const projects = new Projects(store, (project) => bus.publish({ directory: "global", project: project.id }, "project.updated", project));
  const sessionEvents = new SessionEvents(store, bus);
  const sessions = new SessionService(store, projects, sessionEvents);
  const services: Services = {
    config: options.config,
    log: options.log,
    schemas,
    bus,
    store,
    projects,
    sessions,
    messages: new MessageService(store, sessions, sessionEvents),
    runs: new RunRegistry(),
  };
  const api = await createBackend(doc);
  const dispatcher = new Dispatcher(api, options.handlers ?? defaultHandlers, services, options.observe);

  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  app.set("query parser", false);
  app.use(corsMiddleware(options.config.corsOrigins));
  app.use(authMiddleware(options.credentials));
  app.get("/doc", (_req, res) => {
    res.json(doc);
  });
  app.use(express.json({ limit: "50mb", type: ["application/json", "application/*+json"] }));
  app.use(dispatcher.middleware);
  app.use(bodyErrorHandler(dispatcher, services));
  return { app, services, api };
}
