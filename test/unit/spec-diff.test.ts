// The diff that `npm run spec:sync` prints after downloading a new upstream document.
import { describe, expect, it } from "vitest";
import { loadUpstreamSpec } from "../../src/contract/served-spec.js";
import { diffSpecs, formatDiff, jsonEqual, listOperations } from "../../scripts/lib/spec-diff.js";

const op = (operationId: string | undefined, schema = "A") => ({
  ...(operationId ? { operationId } : {}),
  responses: { 200: { $ref: `#/components/schemas/${schema}` } },
});
const base = () => ({
  paths: { "/a": { get: op("a.get") }, "/b": { post: op("b.create") } },
  components: { schemas: { A: { type: "object", properties: { x: { type: "string" }, y: { type: "number" } } }, B: { type: "string" } } },
});

describe("diffSpecs", () => {
  it("finds nothing between a document and itself, the pinned upstream one included", () => {
    const empty = { added: [], removed: [], moved: [] };
    expect(diffSpecs(base(), base()).operations).toEqual(empty);
    const pinned = loadUpstreamSpec();
    const diff = diffSpecs(pinned, structuredClone(pinned));
    expect(diff.operations).toEqual(empty);
    expect(diff.schemas).toEqual({ added: [], removed: [], changed: [] });
    expect(diff.counts).toEqual({ operations: [188, 188], schemas: [472, 472] });
    expect(formatDiff(diff)).toBe("operations: 188 -> 188; schemas: 472 -> 472\nno operation or schema changed");
  });

  it("reports added, removed and moved operations", () => {
    const next = base() as { paths: Record<string, Record<string, unknown>> };
    delete next.paths["/b"];
    next.paths["/c"] = { delete: op("c.remove") };
    next.paths["/a2"] = { get: op("a.get") };
    delete next.paths["/a"];
    const diff = diffSpecs(base(), next);
    expect(diff.operations.added).toEqual([{ operationId: "c.remove", method: "delete", path: "/c" }]);
    expect(diff.operations.removed).toEqual([{ operationId: "b.create", method: "post", path: "/b" }]);
    expect(diff.operations.moved).toEqual([
      {
        operationId: "a.get",
        from: { operationId: "a.get", method: "get", path: "/a" },
        to: { operationId: "a.get", method: "get", path: "/a2" },
      },
    ]);
    expect(formatDiff(diff)).toContain("operations moved (1):\n  a.get: GET /a -> GET /a2");
  });

  it("reports schemas added, removed and changed, but not reordered keys", () => {
    const next = base() as { components: { schemas: Record<string, unknown> } };
    next.components.schemas.A = { properties: { y: { type: "number" }, x: { type: "string" } }, type: "object" };
    next.components.schemas.C = { type: "boolean" };
    delete next.components.schemas.B;
    expect(diffSpecs(base(), next).schemas).toEqual({ added: ["C"], removed: ["B"], changed: [] });
    (next.components.schemas.A as { properties: Record<string, unknown> }).properties.z = { type: "string" };
    expect(diffSpecs(base(), next).schemas.changed).toEqual(["A"]);
  });

  it("names operations without an operationId by method and path", () => {
    expect(listOperations({ paths: { "/x": { put: op(undefined) } } })).toEqual([{ operationId: "PUT /x", method: "put", path: "/x" }]);
  });
});

describe("jsonEqual", () => {
  it("compares JSON values deeply, ignoring key order but not array order", () => {
    expect(jsonEqual({ a: [1, { b: 2, c: 3 }] }, { a: [1, { c: 3, b: 2 }] })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
  });
});
