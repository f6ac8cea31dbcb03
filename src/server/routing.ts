// Routing details of the dispatcher: wildcard paths, the query keys an operation declares, the
// query string parsed as upstream's server reads it.
import qs from "qs";
import type { Operation } from "./openapi.js";

export interface WildcardRoute {
  pattern: RegExp;
  template: string;
}

/** Spec paths with a literal `*` segment (/api/fs/read/*) match any rest of the path. */
export function wildcardRoutes(operations: Operation[]): WildcardRoute[] {
  return [...new Set(operations.map((op) => op.path).filter((p) => p.endsWith("/*")))].map((template) => ({
    template,
    pattern: new RegExp(`^${template.slice(0, -1).replace(/[.+?^${}()|[\]\\]/g, "\\$&")}(.+)$`),
  }));
}

/** Per operation, once: the query keys it declares (made per request, this was a Set and two arrays each time). */
const queryKeysOf = new WeakMap<Operation, Set<string>>();

export function declaredQueryKeys(operation: Operation): Set<string> {
  let keys = queryKeysOf.get(operation);
  if (!keys) {
    keys = new Set((operation.parameters ?? []).flatMap((p) => ("in" in p && p.in === "query" ? [p.name] : [])));
    queryKeysOf.set(operation, keys);
  }
  return keys;
}

export function pick(query: Record<string, unknown>, keys: Set<string>): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key in query) if (keys.has(key)) picked[key] = query[key];
  return picked;
}

export function parseQuery(originalUrl: string): Record<string, unknown> {
  const start = originalUrl.indexOf("?");
  return start < 0 ? {} : (qs.parse(originalUrl.slice(start + 1), { depth: 5, arrayLimit: 100 }) as Record<string, unknown>);
}
