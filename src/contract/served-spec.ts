// The OpenAPI document this server serves: the pinned upstream document plus our overlays.
//
// The upstream file stays byte-for-byte what `opencode serve` answers at /doc; everything we add
// (legacy routes, our own error envelopes) lives in spec/overlays/*.json and is merged here, at
// load time, for the server, the generator and the coverage report alike.
import { readFileSync, readdirSync } from "node:fs";
import { PACKAGE_ROOT } from "../package-root.js";
import path from "node:path";

export const SPEC_DIR = path.join(PACKAGE_ROOT, "spec");
export const UPSTREAM_SPEC_PATH = path.join(SPEC_DIR, "opencode.openapi.json");
export const OVERLAY_DIR = path.join(SPEC_DIR, "overlays");

export const HTTP_METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type JsonObject = { [key: string]: unknown };

export interface OpenApiDocument extends JsonObject {
  openapi: string;
  info: JsonObject;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown> } & JsonObject;
  tags?: { name: string; description?: string }[];
}

export interface SpecOperation {
  operationId: string;
  method: HttpMethod;
  path: string;
  tag: string;
  /** "upstream" for the pinned opencode document, else the overlay file it came from. */
  source: string;
  operation: JsonObject;
}

export function readJsonFile<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

export function loadUpstreamSpec(): OpenApiDocument {
  return readJsonFile<OpenApiDocument>(UPSTREAM_SPEC_PATH);
}

export function listOverlayFiles(dir = OVERLAY_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => path.join(dir, name));
}

/** Merges overlays into a copy of the upstream document. Any clash is an error, never an override. */
export function mergeOverlays(upstream: OpenApiDocument, overlays: { name: string; doc: OpenApiDocument }[]): OpenApiDocument {
  const merged = structuredClone(upstream);
  for (const { name, doc } of overlays) {
    for (const [route, item] of Object.entries(doc.paths ?? {})) {
      const target = (merged.paths[route] ??= {});
      for (const [method, operation] of Object.entries(item)) {
        if (method in target) throw new Error(`overlay ${name}: ${method.toUpperCase()} ${route} already exists`);
        target[method] = { ...(operation as JsonObject), "x-agentpool-overlay": name };
      }
    }
    for (const [schemaName, schema] of Object.entries(doc.components?.schemas ?? {})) {
      if (schemaName in merged.components.schemas) throw new Error(`overlay ${name}: schema ${schemaName} already exists`);
      merged.components.schemas[schemaName] = schema;
    }
    // Our own top-level extensions (x-agentpool-...) are maps; overlays add entries to them.
    for (const [key, value] of Object.entries(doc)) {
      if (!key.startsWith("x-agentpool-") || !value || typeof value !== "object") continue;
      const target = ((merged as JsonObject)[key] ??= {}) as JsonObject;
      for (const [entry, entryValue] of Object.entries(value as JsonObject)) {
        if (key === SUCCESS_ALTERNATIVES) mergeAlternatives(target, entry, entryValue as JsonObject);
        else if (entry in target) throw new Error(`overlay ${name}: ${key}.${entry} already exists`);
        else target[entry] = entryValue;
      }
    }
    for (const tag of doc.tags ?? []) {
      if (!merged.tags?.some((t) => t.name === tag.name)) (merged.tags ??= []).push(tag);
    }
  }
  resolveExtensions(merged.components.schemas);
  return merged;
}

/** operationId -> status -> the other shapes an answer may have ({$ref} or a list of them). */
export const SUCCESS_ALTERNATIVES = "x-agentpool-success-alternatives";

/** Several overlays may each add a shape for the same operation and status: they are listed together. */
function mergeAlternatives(target: JsonObject, operationId: string, byStatus: JsonObject): void {
  const existing = (target[operationId] ??= {}) as JsonObject;
  for (const [status, refs] of Object.entries(byStatus)) {
    existing[status] = [...[existing[status] ?? []].flat(), ...[refs].flat()];
  }
}

/**
 * An overlay schema with `x-agentpool-extends: "Name"` is that schema plus its own properties and
 * required keys: a legacy shape that adds a key to an upstream schema closed by
 * additionalProperties: false, without copying the upstream schema into the overlay.
 */
function resolveExtensions(schemas: Record<string, unknown>): void {
  for (const [name, schema] of Object.entries(schemas)) {
    const extension = schema as JsonObject;
    const baseName = extension["x-agentpool-extends"];
    if (typeof baseName !== "string") continue;
    const base = schemas[baseName] as JsonObject | undefined;
    if (!base) throw new Error(`schema ${name} extends the unknown schema ${baseName}`);
    if (typeof base["x-agentpool-extends"] === "string") throw new Error(`schema ${name} extends ${baseName}, itself an extension`);
    const { properties, required, "x-agentpool-extends": _base, ...rest } = extension;
    schemas[name] = {
      ...structuredClone(base),
      ...rest,
      properties: { ...(base.properties as JsonObject), ...(properties as JsonObject) },
      required: [...new Set([...((base.required as string[]) ?? []), ...((required as string[]) ?? [])])],
    };
  }
}

let cached: OpenApiDocument | undefined;

/** The merged document (cached: it is read-only after load). */
export function loadServedSpec(): OpenApiDocument {
  cached ??= mergeOverlays(
    loadUpstreamSpec(),
    listOverlayFiles().map((file) => ({ name: path.basename(file), doc: readJsonFile<OpenApiDocument>(file) })),
  );
  return cached;
}

/** Every operation of a document, in document order. */
export function listSpecOperations(doc: OpenApiDocument): SpecOperation[] {
  const out: SpecOperation[] = [];
  for (const [route, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method] as JsonObject | undefined;
      if (!operation) continue;
      const operationId = operation.operationId;
      if (typeof operationId !== "string") throw new Error(`${method.toUpperCase()} ${route} has no operationId`);
      const tags = operation.tags as string[] | undefined;
      const overlay = operation["x-agentpool-overlay"];
      out.push({
        operationId,
        method,
        path: route,
        tag: tags?.[0] ?? "default",
        source: typeof overlay === "string" ? overlay : "upstream",
        operation,
      });
    }
  }
  return out;
}
