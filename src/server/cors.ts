// CORS as the upstream server answers it (reference: cors.json). Preflights are answered here,
// before auth, so a browser can learn that it must send credentials.
import type { RequestHandler } from "express";

const ALLOWED_METHODS = "GET, HEAD, PUT, PATCH, POST, DELETE";

const BUILT_IN_ORIGINS: RegExp[] = [
  /^http:\/\/localhost:\d+$/,
  /^http:\/\/127\.0\.0\.1:\d+$/,
  /^oc:\/\/renderer/,
  /^tauri:\/\/localhost$/,
  /^https?:\/\/tauri\.localhost$/,
  /^https:\/\/([a-z0-9-]+\.)*opencode\.ai$/,
];

export function isAllowedOrigin(origin: string, extraOrigins: readonly string[]): boolean {
  return extraOrigins.includes(origin) || BUILT_IN_ORIGINS.some((pattern) => pattern.test(origin));
}

export function corsMiddleware(extraOrigins: readonly string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    // Upstream varies on Origin unless the request came from an origin it refuses.
    const allowed = origin === undefined ? undefined : isAllowedOrigin(origin, extraOrigins);
    if (allowed) res.setHeader("access-control-allow-origin", origin!);
    if (req.method !== "OPTIONS") {
      if (allowed !== false) res.setHeader("vary", "Origin");
      next();
      return;
    }
    const requestedHeaders = req.headers["access-control-request-headers"];
    res.setHeader("access-control-allow-methods", ALLOWED_METHODS);
    res.setHeader("access-control-allow-headers", requestedHeaders ?? "");
    res.setHeader("access-control-max-age", "86400");
    const vary = [requestedHeaders !== undefined ? "Access-Control-Request-Headers" : undefined, allowed !== false ? "Origin" : undefined];
    const varyValue = vary.filter(Boolean).join(", ");
    if (varyValue) res.setHeader("vary", varyValue);
    res.status(204).setHeader("content-length", "0");
    res.end();
  };
}
