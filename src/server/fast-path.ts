// A GET for the API without a body, straight to the dispatcher: what express would run for it
// (CORS, auth, the dispatcher, the error handler), on the same express request and response
// objects, without its router. The router matched every such request against each middleware
// (the console's files, the JSON body parser: nothing to do for these) and was about a fifth of
// the time of a small answer (GET /global/health). Everything else goes to express as before.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ErrorRequestHandler, Express, Request, RequestHandler, Response } from "express";

export interface FastPathOptions {
  /** First path segments of API routes; a request under any other goes to express (the console, /doc). */
  apiPrefixes: Set<string>;
  /** The middleware express runs before the dispatcher for these requests, in order. */
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

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

export function apiFastPath(app: Express, options: FastPathOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { apiPrefixes, before, dispatch, onError } = options;
  return (incoming, outgoing) => {
    const first = incoming.method === "GET" && !hasBody(incoming) ? firstSegment(incoming.url ?? "") : undefined;
    // /doc is an express route of its own.
    if (first === undefined || first === "doc" || !apiPrefixes.has(first)) {
      app(incoming, outgoing);
      return;
    }
    // What express's app.handle and router set up on every request.
    const req = Object.setPrototypeOf(incoming, app.request) as Request;
    const res = Object.setPrototypeOf(outgoing, app.response) as Response;
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
}
