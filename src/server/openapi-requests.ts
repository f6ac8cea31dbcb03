// openapi-backend's request parsing and request validation, done with what is known once per
// operation instead of per request. Its handleRequest parses each request four times (before
// routing, after routing, inside validateRequest, after coercion), each time mapping the headers
// through lodash, parsing an empty cookie header, turning the query object into a query string it
// then ignores and deep-cloning the query, and validateRequest looks up each query parameter with
// lodash matchers: together about a fifth of the server's time on a small answer
// (GET /global/health), for results it already had. These do the same steps with the parameter
// lookups made once per operation; the validators, the error objects and the coerced values are
// the same (test/server/openapi-requests.test.ts compares both on the spec's operations).
// Requests of other forms (a query string instead of an object, a body that is not parsed JSON)
// go to openapi-backend's own functions unchanged.
import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { OpenAPIBackend } from "openapi-backend";

type Backend = InstanceType<typeof OpenAPIBackend>;
type Operation = ReturnType<Backend["getOperations"]>[number];

type Query = Record<string, unknown>;
type Bath = (template: string) => { params(path: string): Record<string, string> | null };

interface LooseRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  query?: Query | string;
  body?: unknown;
}

interface Parsed {
  method: string;
  path: string;
  params: Record<string, string>;
  headers: Record<string, unknown>;
  query: Query;
  cookies: Record<string, unknown>;
  requestBody: unknown;
}

interface QueryParameter {
  name: string;
  in: string;
  content?: Record<string, unknown>;
  explode?: boolean;
  style?: string;
  schema?: { type?: unknown };
}

/** What parsing and validating need to know about an operation's query parameters. */
interface QueryFacts {
  /** name -> the parameter openapi-backend's router finds for it (the first non-$ref one). */
  byName: Map<string, QueryParameter>;
  /** Names whose parameter (the first of that name, as lodash's find picks it) is an array. */
  arrays: Set<string>;
  /** Parameters whose value is JSON (content: application/json). */
  json: QueryParameter[];
  /** The request body's media types. */
  payloadFormats: string[];
}

const factsOf = new WeakMap<Operation, QueryFacts>();

function queryFacts(operation: Operation): QueryFacts {
  let facts = factsOf.get(operation);
  if (facts) return facts;
  const parameters = (operation.parameters ?? []) as unknown as QueryParameter[];
  const byName = new Map<string, QueryParameter>();
  const arrays = new Set<string>();
  const firstOfName = new Set<string>();
  for (const param of parameters) {
    if (param?.in !== "query") continue;
    if (!("$ref" in param) && !byName.has(param.name)) byName.set(param.name, param);
    if (!firstOfName.has(param.name)) {
      firstOfName.add(param.name);
      if (param.schema?.type === "array") arrays.add(param.name);
    }
  }
  const json = parameters.filter((p) => !("$ref" in p) && p.in === "query" && p.content?.["application/json"]);
  const body = operation.requestBody as { content?: Record<string, unknown> } | undefined;
  facts = { byName, arrays, json, payloadFormats: Object.keys(body?.content ?? {}) };
  factsOf.set(operation, facts);
  return facts;
}

/** A deep copy of a parsed query (strings, arrays and objects of them), as lodash's cloneDeep makes it. */
function cloneQuery<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneQuery) as T;
  if (value === null || typeof value !== "object") return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = cloneQuery((value as Record<string, unknown>)[key]);
  return copy as T;
}

function lowerCaseKeys(headers: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(headers)) copy[key.toLowerCase()] = headers[key];
  return copy;
}

/** The router's per-parameter decoding of query values (JSON content, non-exploded lists). */
function decodeQuery(query: Query, facts: QueryFacts): void {
  for (const name in query) {
    if (!query[name]) continue;
    const parameter = facts.byName.get(name);
    if (!parameter) continue;
    if (parameter.content?.["application/json"]) {
      const raw = query[name];
      if (typeof raw === "string")
        try {
          query[name] = JSON.parse(raw);
        } catch {
          // left as it is: validation reports it
        }
    } else if (parameter.explode === false) {
      const raw = query[name];
      if (Array.isArray(raw) && raw.length > 1) continue;
      const value = Array.isArray(raw) ? raw[0] : raw;
      if (typeof value !== "string") continue;
      let decoded = value.replace(/%2C/g, ",");
      if (parameter.style === "spaceDelimited") decoded = decoded.replace(/ /g, ",").replace(/%20/g, ",");
      if (parameter.style === "pipeDelimited") decoded = decoded.replace(/\|/g, ",").replace(/%7C/g, ",");
      query[name] = decoded.split(",");
    }
  }
}

/** Requires a module as openapi-backend does (its own dependencies: cookie, bath-es5), the very copy it uses. */
export const requireFromBackend = (name: string): unknown => createRequire(createRequire(import.meta.url).resolve("openapi-backend"))(name);

/** The request path as openapi-backend's normalizeRequest makes it: trimmed, with a leading slash, without a query. */
export function requestPath(path: string | undefined): string {
  const trimmed = path?.trim() || "";
  return (trimmed.startsWith("/") ? trimmed : `/${trimmed}`).split("?")[0]!;
}

/** Installs the lean parseRequest and validateRequest on an initialised backend. */
export function leanRequestHandling(api: Backend): void {
  const cookie = requireFromBackend("cookie") as { parse(header: string): Record<string, unknown> };
  const bath = requireFromBackend("bath-es5") as { default: Bath };
  const router = api.router;
  const validator = api.validator;
  const originalParse = router.parseRequest.bind(router) as unknown as (req: LooseRequest, operation?: Operation) => Parsed;
  const originalValidate = validator.validateRequest.bind(validator);

  /** Requests as the dispatcher makes them: the query an object, the body absent or parsed. */
  const leanShape = (req: LooseRequest) =>
    req.query !== undefined && typeof req.query === "object" && (req.body === undefined || typeof req.body === "object");

  const parseRequest = (req: LooseRequest, operation?: Operation): Parsed => {
    if (!leanShape(req)) return originalParse(req, operation);
    const headers = lowerCaseKeys(req.headers);
    const cookieHeader = headers.cookie as string | string[] | undefined;
    const cookies = cookie.parse(cookieHeader === undefined ? "" : [cookieHeader].flat().join("; "));
    const query = cloneQuery(req.query as Query);
    const path = requestPath(req.path);
    const method = req.method.trim().toLowerCase();
    let params: Record<string, string> = {};
    if (operation) {
      params = bath.default(operation.path).params(router.normalizePath(path)) || {};
      decodeQuery(query, queryFacts(operation));
    }
    return { ...req, path, method, params, headers, query, cookies, requestBody: req.body };
  };

  const validateRequest = (req: LooseRequest, operation?: Operation | string) => {
    const resolved = typeof operation === "string" ? router.getOperation(operation) : operation;
    if (!resolved?.operationId || !leanShape(req)) return originalValidate(req as never, operation as never);
    const result: { valid: boolean; coerced: Record<string, unknown>; errors: ErrorObject[] | null } = {
      valid: true,
      coerced: { ...req },
      errors: [],
    };
    const errors: ErrorObject[] = [];
    const facts = queryFacts(resolved);
    const validators = (validator.getRequestValidatorsForOperation(resolved.operationId) ?? []) as ValidateFunction[];
    const { params, query, headers, cookies, requestBody } = parseRequest(req, resolved);
    for (const name in query) if (typeof query[name] === "string" && facts.arrays.has(name)) query[name] = [query[name]];
    const parameters: Record<string, unknown> = { path: params, query, header: headers, cookie: cookies };
    if (facts.json.length) {
      const raw = router.parseRequestQuery(req as never) as Query;
      for (const param of facts.json) {
        const value = raw[param.name];
        if (typeof value === "string")
          try {
            JSON.parse(value);
          } catch (error) {
            if (error instanceof Error)
              errors.push({
                keyword: "parse",
                instancePath: `/query/${param.name}`,
                schemaPath: `#/parameters/${param.name}`,
                params: [] as never,
                message: error.message,
              });
          }
      }
    }
    const rawContentType = headers["content-type"];
    const contentType = String((Array.isArray(rawContentType) ? rawContentType[0] : rawContentType) || "")
      .split(";")[0]!
      .trim()
      .toLowerCase();
    if (typeof requestBody === "object" || contentType === "application/json") parameters.requestBody = requestBody;
    for (const validate of validators) {
      validate(parameters);
      if (validate.errors) errors.push(...validate.errors);
      else if (validator.coerceTypes) {
        result.coerced.query = parameters.query;
        result.coerced.params = parameters.path;
      }
    }
    if (errors.length) {
      result.valid = false;
      result.errors = errors;
    } else result.errors = null;
    return result;
  };

  router.parseRequest = parseRequest as unknown as typeof router.parseRequest;
  validator.validateRequest = validateRequest as unknown as typeof validator.validateRequest;
}
