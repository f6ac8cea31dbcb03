// The dispatcher's request parsing and validation (src/server/openapi-requests.ts) give what
// openapi-backend's own functions give, on every operation of the served spec: the same parsed
// request, the same verdict, the same errors and the same coerced values.
import { beforeAll, describe, expect, it } from "vitest";
import { loadServedSpec } from "../../src/contract/served-spec.js";
import { createBackend, type Backend, type Operation } from "../../src/server/openapi.js";

/**
 * Query parameters of kinds the served spec has none of (JSON content, lists, non-exploded and
 * delimited lists), so that those steps are compared too.
 */
const OTHER_KINDS = {
  openapi: "3.1.0",
  info: { title: "other kinds", version: "1" },
  paths: {
    "/things/{id}": {
      get: {
        operationId: "things.get",
        parameters: [
          { name: "id", in: "path", required: true, schema: { type: "string" } },
          {
            name: "filter",
            in: "query",
            content: { "application/json": { schema: { type: "object", properties: { a: { type: "number" } } } } },
          },
          { name: "tags", in: "query", schema: { type: "array", items: { type: "string" } } },
          { name: "ids", in: "query", explode: false, schema: { type: "array", items: { type: "integer" } } },
          { name: "words", in: "query", explode: false, style: "spaceDelimited", schema: { type: "array", items: { type: "string" } } },
          { name: "pipes", in: "query", explode: false, style: "pipeDelimited", schema: { type: "array", items: { type: "string" } } },
          { name: "count", in: "query", required: true, schema: { type: "integer" } },
        ],
        responses: { "200": { description: "ok", content: { "application/json": { schema: { type: "boolean" } } } } },
      },
    },
  },
};

let lean: Backend;
let original: Backend;
let otherLean: Backend;
let otherOriginal: Backend;
beforeAll(async () => {
  const doc = loadServedSpec();
  lean = await createBackend(doc);
  original = await createBackend(doc, { cache: false });
  otherLean = await createBackend(OTHER_KINDS as never);
  otherOriginal = await createBackend(OTHER_KINDS as never, { cache: false });
});

interface Param {
  name: string;
  in: string;
  schema?: { type?: string };
  content?: Record<string, unknown>;
}

/** Requests as the dispatcher hands them over, in several forms for one operation. */
function requests(op: Operation): Record<string, unknown>[] {
  const params = (op.parameters ?? []) as unknown as Param[];
  const path = op.path.replace(/\{([^}]+)\}/g, "$1_sample").replace(/\*$/, "some/file.txt");
  const query = params.filter((p) => p.in === "query");
  const headers = { host: "127.0.0.1", "x-opencode-directory": "/tmp", cookie: "a=1; b=two" };
  const hasBody = Boolean((op.requestBody as { content?: unknown } | undefined)?.content);
  const strings = Object.fromEntries(
    query.map((p) => [p.name, p.content ? '{"a":1}' : p.name === "words" ? "a%20b c" : p.name === "pipes" ? "a|b%7Cc" : "1,2%2C3"]),
  );
  const arrays = Object.fromEntries(query.map((p) => [p.name, ["x", "y"]]));
  const broken = Object.fromEntries(query.map((p) => [p.name, p.content ? "{broken" : "not-a-number"]));
  return [
    { method: op.method, path, headers: { host: "127.0.0.1" }, query: {} },
    { method: op.method.toUpperCase(), path: `${path}/`, headers, query: { ...strings, unknown: "1" }, body: hasBody ? {} : undefined },
    { method: op.method, path, headers, query: arrays, body: hasBody ? { bogus: [1], title: 5 } : undefined },
    {
      method: op.method,
      path,
      headers: { ...headers, "content-type": "application/json" },
      query: broken,
      body: hasBody ? null : undefined,
    },
    { method: op.method, path, headers, query: { nested: { deep: ["1"] } }, body: hasBody ? [] : undefined },
  ];
}

/** JSON's view of a value: functions and undefined keys dropped, as a client would see them. */
const plain = (value: unknown) => JSON.parse(JSON.stringify(value ?? null)) as unknown;

/** Every operation of both documents with each of its request forms, in the lean backend and the original. */
function* cases(): Generator<{ mine: Backend; theirs: Backend; op: Operation; leanOp: Operation; req: Record<string, unknown> }> {
  for (const [mine, theirs] of [
    [lean, original],
    [otherLean, otherOriginal],
  ] as const)
    for (const op of theirs.router.getOperations())
      for (const req of requests(op)) yield { mine, theirs, op, leanOp: mine.router.getOperation(op.operationId!)!, req };
}

describe("request parsing and validation", () => {
  it("parse every operation's requests as openapi-backend does", () => {
    let compared = 0;
    for (const { mine, theirs, op, leanOp, req } of cases()) {
      const parsed = mine.router.parseRequest(structuredClone(req) as never, leanOp);
      expect(plain(parsed), `${op.operationId} ${JSON.stringify(req)}`).toEqual(
        plain(theirs.router.parseRequest(structuredClone(req) as never, op)),
      );
      expect(plain(mine.router.parseRequest(structuredClone(req) as never))).toEqual(
        plain(theirs.router.parseRequest(structuredClone(req) as never)),
      );
      compared++;
    }
    expect(compared).toBeGreaterThan(900);
  });

  it("validate every operation's requests as openapi-backend does: verdicts, errors and coerced values", () => {
    let rejected = 0;
    for (const { mine, theirs, op, leanOp, req } of cases()) {
      const verdict = theirs.validator.validateRequest(structuredClone(req) as never, op);
      expect(
        plain(mine.validator.validateRequest(structuredClone(req) as never, leanOp)),
        `${op.operationId} ${JSON.stringify(req)}`,
      ).toEqual(plain(verdict));
      if (!verdict.valid) rejected++;
    }
    // The forms include wrong types and broken JSON, so many are refused.
    expect(rejected).toBeGreaterThan(100);
  });

  it("leave a query given as a string, or an unparsed body, to openapi-backend's own functions", () => {
    const op = lean.router.getOperation("session.list")!;
    const req = { method: "get", path: "/session", headers: {}, query: "limit=2&roots=true" };
    expect(plain(lean.router.parseRequest(req as never, op))).toEqual(plain(original.router.parseRequest(req as never, op)));
    const post = lean.router.getOperation("session.create")!;
    const raw = { method: "post", path: "/session", headers: { "content-type": "application/json" }, query: {}, body: "{not json" };
    const verdict = lean.validator.validateRequest(raw as never, post);
    expect(verdict.valid).toBe(false);
    expect(plain(verdict)).toEqual(
      plain(original.validator.validateRequest(raw as never, original.router.getOperation("session.create")!)),
    );
  });
});
