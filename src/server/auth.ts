// HTTP basic auth, as upstream applies it when OPENCODE_SERVER_PASSWORD is set: every route,
// credentials in the Authorization header or as ?auth_token=base64(user:password).
import { timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";

export interface Credentials {
  username: string;
  password: string;
}

export const DEFAULT_USERNAME = "opencode";

export function credentialsFromEnv(env: NodeJS.ProcessEnv): Credentials | undefined {
  const password = env.OPENCODE_SERVER_PASSWORD;
  if (!password) return undefined;
  return { username: env.OPENCODE_SERVER_USERNAME || DEFAULT_USERNAME, password };
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The base64 token a request carries, from `Authorization: Basic ...` (any case) or ?auth_token=. */
export function presentedToken(authorization: string | undefined, url: string): string | undefined {
  const match = authorization ? /^basic\s+(\S+)\s*$/i.exec(authorization) : null;
  if (match) return match[1];
  const query = url.indexOf("?");
  if (query < 0) return undefined;
  return new URLSearchParams(url.slice(query + 1)).get("auth_token") ?? undefined;
}

/** Whether a request may pass: no password set, or the right credentials presented. */
export function isAuthorized(credentials: Credentials | undefined, authorization: string | undefined, url: string): boolean {
  if (!credentials) return true;
  const expected = Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
  const token = presentedToken(authorization, url);
  return token !== undefined && sameText(token, expected);
}

export function authMiddleware(credentials: Credentials | undefined): RequestHandler {
  if (!credentials) return (_req, _res, next) => next();
  return (req, res, next) => {
    if (isAuthorized(credentials, req.headers.authorization, req.originalUrl)) {
      next();
      return;
    }
    res.status(401).setHeader("www-authenticate", 'Basic realm="Secure Area"');
    res.setHeader("content-length", "0");
    res.end();
  };
}
