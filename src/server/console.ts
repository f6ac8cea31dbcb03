// The web console (sources in web/, built by `vite build` into web/dist): its files at their own
// paths with caching headers, and its index.html for a browser navigation (Accept: text/html) to
// any path the API does not own, so the console's client-side routes survive a reload. API
// clients, and every path under an API route's first segment, keep the JSON 404.
import { existsSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "../package-root.js";
import express, { type RequestHandler } from "express";

export const CONSOLE_DIST = path.join(PACKAGE_ROOT, "web", "dist");

/** The first path segments the API owns (`session`, `global`, ..., `doc`), from the served spec. */
export function apiPrefixes(paths: Record<string, unknown>): Set<string> {
  return new Set(["doc", ...Object.keys(paths).map((p) => p.split("/")[1] ?? "")].filter(Boolean));
}

/** A navigation of a browser, not a call of an API client (which sends `*\/*` or JSON). */
function wantsHtml(accept: string | undefined): boolean {
  return accept !== undefined && /\btext\/html\b/i.test(accept);
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>agentpool console</title>
<p>The web console is not built. Run <code>npm run build:web</code> (or <code>npm install</code>) and reload.</p>`;

export function consoleMiddleware(options: { apiPrefixes: Set<string>; dist?: string }): RequestHandler {
  const dist = options.dist ?? CONSOLE_DIST;
  const index = path.join(dist, "index.html");
  const files = express.static(dist, {
    index: false,
    redirect: false,
    fallthrough: true,
    setHeaders: (res, file) => {
      // Vite names everything under assets/ by its content hash: those never change.
      const hashed = path.relative(dist, file).startsWith(`assets${path.sep}`);
      res.setHeader("cache-control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  return (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    const first = req.path.split("/")[1] ?? "";
    if (options.apiPrefixes.has(first)) return next();
    files(req, res, () => {
      // A missing asset stays a 404 (an old page asking for a replaced hash), never the page.
      if (!wantsHtml(req.headers.accept) || first === "assets") return next();
      res.setHeader("cache-control", "no-cache");
      if (!existsSync(index)) {
        res.status(503).type("html").send(NOT_BUILT);
        return;
      }
      res.sendFile(index, { headers: { "cache-control": "no-cache" } }, (error) => error && next(error));
    });
  };
}
