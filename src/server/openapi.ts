// The openapi-backend instance: routes a request to its operationId and validates it against
// the served spec before any handler runs, and validates what handlers answer.
//
// Three things differ from openapi-backend's defaults, each for a reason:
// - quick mode: its definition check only knows OpenAPI 3.0, rejects our 3.1 document and then
//   leaves zero routes; quick mode skips that check (and compiles validators lazily, per operation).
// - Ajv 2020-12 (+ ajv-formats) instead of its draft-07 Ajv: 3.1 schemas are 2020-12.
// - request schemas are opened up (additionalProperties: false dropped), because upstream ignores
//   unknown keys in a request (POST /session {"bogus":1} is a 200); responses stay strict.
// Its router rebuilds the operation list (lodash over 190 operations) on every lookup; that is
// cached once here, see cacheRouting(). scripts/bench/validation.ts measures the difference.
// Its parseRequest builds a path-parameter parser (bath-es5) from the operation's template on
// every request; those are made once per template, see cachePathParsers(). Its request parsing
// and request validation are replaced by equivalents that look parameters up once per
// operation (src/server/openapi-requests.ts).
//
// Its validators are replaced by the same checks compiled from $refs into the document (see
// SpecValidators): one function per component schema, shared by every operation, instead of one
// function per operation and status over the dereferenced (fully inlined) schema. The inlined
// ones were so large that V8 would not optimize them: checking the 200 messages of
// GET /session/{id}/message took 2.8 ms that way, 0.4 ms this way; they also compile faster.
import { OpenAPIBackend } from "openapi-backend";
import type { Options, ValidateFunction } from "ajv";
import type { Ajv2020 } from "ajv/dist/2020.js";
import type { JsonObject, OpenApiDocument } from "../contract/served-spec.js";
import { discriminateUnions } from "../contract/discriminated-unions.js";
import { createAjv } from "../contract/validation.js";
import { leanRequestHandling, requestPath, requireFromBackend } from "./openapi-requests.js";

type Backend = InstanceType<typeof OpenAPIBackend>;
type Operation = ReturnType<Backend["getOperations"]>[number];

/** A deep copy of a schema in which no object refuses unknown keys. */
export function openSchema<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(openSchema) as T;
  if (!schema || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "additionalProperties" && value === false) continue;
    out[key] = openSchema(value);
  }
  return out as T;
}

const REQUEST_BODY_CONTEXT = "requestBodyValidator";

function customizeAjv(_default: unknown, options: Options, context: string) {
  // The spec's schemas are checked against the meta-schema by `npm run generate`; compiling the
  // 2020-12 meta-schema again in each of these instances at every start is not needed.
  const ajv = createAjv({ ...options, strict: false, validateSchema: false });
  if (context === REQUEST_BODY_CONTEXT) {
    const compile = ajv.compile.bind(ajv);
    ajv.compile = ((schema: object) => compile(openSchema(schema))) as typeof ajv.compile;
  }
  return ajv as never;
}

function pointer(...segments: string[]): string {
  return segments.map((s) => s.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}

/**
 * The validators openapi-backend builds for an operation (request body; path, query, header and
 * cookie parameters, coerced; each JSON answer by status), written as $refs into the document and
 * compiled on first use by three Ajv instances that hold it: strict, opened (request bodies) and
 * coercing (parameters). Error paths, keywords and params are the same as openapi-backend's.
 * (openapi-backend also drops binary properties from a request body's required keys; the spec's
 * only binary schema is an octet-stream answer, so there is nothing to drop.)
 */
class SpecValidators {
  private readonly instances = new Map<"strict" | "open" | "params" | "tagged", Ajv2020>();
  private taggedScheduled = false;

  constructor(private readonly doc: OpenApiDocument) {}

  private ajv(kind: "strict" | "open" | "params" | "tagged"): Ajv2020 {
    let ajv = this.instances.get(kind);
    if (!ajv) {
      ajv = createAjv({ validateSchema: false, ...(kind === "params" ? { coerceTypes: true } : {}) });
      const doc = kind === "open" ? openSchema(this.doc) : kind === "tagged" ? discriminateUnions(this.doc) : this.doc;
      ajv.addSchema(doc as object, "spec");
      this.instances.set(kind, ajv);
    }
    return ajv;
  }

  /**
   * The instance holding the document with its tagged unions in allOf form (about 20 ms to make):
   * made right after the first answer has gone out, not before it; undefined until then.
   */
  private tagged(): Ajv2020 | undefined {
    const ajv = this.instances.get("tagged");
    if (!ajv && !this.taggedScheduled) {
      this.taggedScheduled = true;
      setImmediate(() => this.ajv("tagged"));
    }
    return ajv;
  }

  request(operation: Operation): ValidateFunction[] {
    const validators: ValidateFunction[] = [];
    const body = operation.requestBody as { required?: boolean; content?: Record<string, { schema?: unknown }> } | undefined;
    const type = ["application/json", "multipart/form-data", "application/x-www-form-urlencoded"].find((t) => body?.content?.[t]);
    if (type && body?.content?.[type]?.schema) {
      validators.push(
        this.ajv("open").compile({
          title: "Request",
          type: "object",
          additionalProperties: true,
          properties: {
            requestBody: { $ref: `spec#/${pointer("paths", operation.path, operation.method, "requestBody", "content", type, "schema")}` },
          },
          required: body.required === true ? ["requestBody"] : [],
        }),
      );
    }
    const where = (additionalProperties: unknown) => ({
      type: "object",
      additionalProperties,
      properties: {} as JsonObject,
      required: [] as string[],
    });
    const locations = { path: where(false), query: where(false), header: where(true), cookie: where(true) };
    const required: string[] = [];
    for (const param of (operation.parameters ?? []) as unknown as JsonObject[]) {
      const location = param.in as keyof typeof locations;
      const target = locations[location];
      const name = location === "header" ? String(param.name).toLowerCase() : String(param.name);
      if (param.required) {
        if (!target.required.includes(name)) target.required.push(name);
        if (!required.includes(location)) required.push(location);
      }
      const schema = param.schema as JsonObject | undefined;
      if (schema?.additionalProperties !== undefined) target.additionalProperties = schema.additionalProperties;
      const json = (param.content as Record<string, { schema?: unknown }> | undefined)?.["application/json"];
      target.properties[name] = (json ? json.schema : schema) as unknown;
    }
    validators.push(
      this.ajv("params").compile({ title: "Request", type: "object", additionalProperties: true, properties: locations, required }),
    );
    return validators;
  }

  /** status -> validator, each compiled when that status is first answered. */
  responses(operation: Operation): Record<string, ValidateFunction> {
    const byStatus: Record<string, ValidateFunction> = {};
    for (const [status, response] of Object.entries((operation.responses ?? {}) as Record<string, JsonObject>)) {
      const content = response.content as Record<string, { schema?: unknown }> | undefined;
      let schema: object | undefined;
      if (content?.["application/json"]?.schema)
        schema = {
          $ref: `spec#/${pointer("paths", operation.path, operation.method, "responses", status, "content", "application/json", "schema")}`,
        };
      else if (!content && status === "204") schema = { type: "null" };
      if (!schema) continue;
      // An answer is checked in the tagged-union form (src/contract/discriminated-unions.ts); one
      // it rejects, again in the spec's own form, whose verdict and errors count.
      let quick: ValidateFunction | undefined;
      let full: ValidateFunction | undefined;
      const validate = ((data: unknown) => {
        const tagged = this.tagged();
        if (tagged && (quick ??= tagged.compile(schema))(data)) {
          validate.errors = null;
          return true;
        }
        full ??= this.ajv("strict").compile(schema);
        const valid = full(data);
        validate.errors = full.errors;
        return valid;
      }) as ValidateFunction;
      byStatus[status] = validate;
    }
    return byStatus;
  }
}

/** openapi-backend's validator, asking SpecValidators for its functions (its own caches stay in use). */
function useSpecValidators(api: Backend, doc: OpenApiDocument): void {
  const validators = new SpecValidators(doc);
  const validator = api.validator;
  validator.buildRequestValidatorsForOperation = (operation: Operation) => (operation?.operationId ? validators.request(operation) : null);
  validator.buildStatusBasedResponseValidatorForOperation = (operation: Operation) =>
    operation?.operationId ? (validators.responses(operation) as never) : null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Replaces the router's per-call work (rebuilding the operation list, compiling a RegExp per path)
 * with one list, one index and precompiled patterns. Same matching rules: an exact path and method
 * first, then the most specific template whose method matches; 404 and 405 errors as before.
 */
function cacheRouting(api: Backend): void {
  const router = api.router;
  const operations = router.getOperations();
  const byId = new Map(operations.map((op) => [op.operationId, op]));
  const exact = new Map(operations.map((op) => [`${op.method} ${op.path}`, op]));
  const patterns = operations
    .map((op) => ({
      op,
      pattern: new RegExp(
        `^${op.path
          .split(/\{[^}]+\}/)
          .map(escapeRegExp)
          .join("[^/]+")}$`,
      ),
      specificity: op.path.replace(/\{.*?\}/g, "").length,
    }))
    .sort((a, b) => b.specificity - a.specificity);
  router.getOperations = () => operations;
  router.getOperation = (operationId: string) => byId.get(operationId) as Operation;
  router.matchOperation = ((req: Parameters<typeof router.matchOperation>[0], strict?: boolean) => {
    // normalizeRequest's steps, without its copy of the whole request.
    const method = req.method.trim().toLowerCase();
    const normalized = router.normalizePath(requestPath(req.path));
    const hit = exact.get(`${method} ${normalized}`);
    if (hit) return hit;
    const candidates = patterns.filter((p) => p.pattern.test(normalized));
    const match = candidates.find((p) => p.op.method === method)?.op;
    if (match || !strict) return match;
    throw new Error(
      candidates.length ? "405-methodNotAllowed: this method is not registered for the route" : "404-notFound: no route matches request",
    );
  }) as typeof router.matchOperation;
}

type Bath = (template: string, patterns?: unknown) => unknown;

/**
 * openapi-backend's router calls bath-es5's default export (`bath(operation.path).params(path)`)
 * for each request, which compiles the template's patterns every time (about 6% of a health
 * request). The module is CommonJS and the router reads `.default` from its exports object at
 * each call, so that export is replaced (in memory, once per process) by one that keeps the
 * parser of each template; calls with custom patterns go through unchanged.
 */
function cachePathParsers(): void {
  const bath = requireFromBackend("bath-es5") as { default?: Bath; bath?: Bath };
  const original = bath.default;
  if (typeof original !== "function" || (original as { cached?: boolean }).cached) return;
  const parsers = new Map<string, unknown>();
  const cached = ((template: string, patterns?: unknown) => {
    if (patterns !== undefined) return original(template, patterns);
    let parser = parsers.get(template);
    if (!parser) parsers.set(template, (parser = original(template)));
    return parser;
  }) as Bath & { cached?: boolean };
  cached.cached = true;
  bath.default = cached;
}

/**
 * For `npm run bench` only (AGENTPOOL_BENCH_VALIDATION=off), to show what validation costs: requests
 * and answers pass unchecked. Never set by the server, the CLI or the tests.
 */
function skipValidation(api: Backend): void {
  api.validate = false;
  api.validateResponse = () => ({ valid: true, errors: null });
}

/**
 * Quick mode starts json-schema-ref-parser on the document (loadDocument) and never waits for it:
 * its result is only used by the definition check quick mode skips. The document is dereferenced
 * (dereferenceSync, on its own copy) all the same.
 */
class QuickBackend extends OpenAPIBackend {
  override async loadDocument() {
    this.document = this.inputDocument as never;
    return this.document;
  }
}

/** `cache: false` keeps openapi-backend's own routing, for scripts/bench/validation.ts to compare. */
export async function createBackend(doc: OpenApiDocument, options: { cache?: boolean } = {}): Promise<Backend> {
  // No copy needed: the document is read, and dereferenced on a copy of its own.
  const api = new QuickBackend({
    definition: doc as never,
    quick: true,
    strict: false,
    validate: true,
    coerceTypes: true,
    ignoreTrailingSlashes: true,
    customizeAjv: customizeAjv as never,
  });
  await api.init();
  if (options.cache !== false) {
    cacheRouting(api);
    cachePathParsers();
    leanRequestHandling(api);
  }
  useSpecValidators(api, doc);
  if (process.env.AGENTPOOL_BENCH_VALIDATION === "off") skipValidation(api);
  return api;
}

export type { Backend, Operation };
