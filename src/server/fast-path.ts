// A request for the API, straight to the dispatcher: what express would run for it (CORS, auth,
// the JSON body parser, the dispatcher, the error handler), on the same express request and
// response objects, without its router. The router matched every such request against each
// middleware (the console's files among them) and was about a fifth of the time of a small
// answer (GET /global/health). The console's files and /doc go to express as before.
import { IncomingMessage, ServerResponse, type ServerOptions } from "node:http";
import type { ErrorRequestHandler, Express, Request, RequestHandler, Response } from "express";

export interface FastPathOptions {
  /** First path segments of API routes; a request under any other goes to express (the console, /doc). */
  apiPrefixes: Set<string>;
  /** The middleware express runs before the dispatcher for API requests, in order. */
  before: RequestHandler[];
  dispatch: RequestHandler;
  onError: ErrorRequestHandler;
}

/** The path's first segment when the URL is origin-form ("/session/..."), else undefined. */
function firstSegment(url: string): string | undefined {
  if (url.charCodeAt(0) !== 47 /* "/" */) return undefined;
  const end = url.slice(1).search(/[/?#]/);
  return end < 0 ? url.slice(1) : url.slice(1, end + 1);
}

export interface FastPathServer {
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * For http.createServer: requests and responses made with express's methods in their prototype
   * chain from the start. Changing an object's prototype afterwards, as express does on each
   * request (and this path did), makes V8 give up its fast property access on the object: node's
   * own HTTP code on these requests and responses then ran about three times slower (a health
   * answer took 91 µs of CPU, now 30 µs; scripts/bench/cpu-per-request.ts).
   */
  serverOptions: ServerOptions;
}

export function apiFastPath(app: Express, options: FastPathOptions): FastPathServer {
  const { apiPrefixes, before, dispatch, onError } = options;
  class AppRequest extends IncomingMessage {}
  Object.setPrototypeOf(AppRequest.prototype, app.request);
  class AppResponse<R extends IncomingMessage> extends ServerResponse<R> {}
  Object.setPrototypeOf(AppResponse.prototype, app.response);
  const listener = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const first = firstSegment(incoming.url ?? "");
    // /doc is an express route of its own.
    if (first === undefined || first === "doc" || !apiPrefixes.has(first)) {
      app(incoming, outgoing);
      return;
    }
    // What express's app.handle and router set up on every request (the prototypes already are).
    const req = (incoming instanceof AppRequest ? incoming : Object.setPrototypeOf(incoming, app.request)) as Request;
    const res = (outgoing instanceof AppResponse ? outgoing : Object.setPrototypeOf(outgoing, app.response)) as Response;
    req.res = res;
    res.req = req;
    res.locals ??= Object.create(null);
    req.originalUrl = req.url;
    req.baseUrl = "";
    const fail = (error?: unknown) => {
      // Nothing of the chain passes a request on without an error; if one did, express takes it.
      if (error === undefined) app(incoming, outgoing);
      else onError(error, req, res, () => res.end());
    };
    let index = 0;
    const next = (error?: unknown): void => {
      if (error !== undefined) return fail(error);
      const handler = index < before.length ? before[index++]! : index++ === before.length ? dispatch : undefined;
      if (!handler) return fail();
      try {
        void handler(req, res, next);
      } catch (thrown) {
        fail(thrown);
      }
    };
    next();
  };
  return { listener, serverOptions: { IncomingMessage: AppRequest, ServerResponse: AppResponse } };
}
