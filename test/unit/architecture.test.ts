// The layering ARCHITECTURE.md describes, checked on the source: no import cycle anywhere in
// src/, and no domain module importing the HTTP layer (server/, handlers/). The second rule still
// has known exceptions, listed here to be removed one by one; a new one fails the test.
import { describe, expect, it } from "vitest";
import { cycles, importGraph } from "../support/import-graph.js";

const isHttp = (module: string) => module.startsWith("server/") || module.startsWith("handlers/");
// The entry points compose everything, HTTP included.
const ENTRY_POINTS = new Set(["cli.ts", "main.ts"]);

// Domain modules that still throw HTTP errors or read the request context (issue 13).
const KNOWN_EXCEPTIONS = [
  "v2/catalog.ts -> server/context.ts",
  "v2/location.ts -> server/context.ts",
];

describe("the layering of src/", () => {
  const graph = importGraph();

  it("has no import cycle (type-only imports included)", () => {
    expect(cycles(graph).map((cycle) => cycle.join(" -> "))).toEqual([]);
  });

  it("has no domain module importing server/ or handlers/ beyond the known exceptions", () => {
    const found: string[] = [];
    for (const [module, imports] of graph) {
      if (isHttp(module) || ENTRY_POINTS.has(module)) continue;
      for (const target of imports) if (isHttp(target)) found.push(`${module} -> ${target}`);
    }
    expect(found.filter((edge) => !KNOWN_EXCEPTIONS.includes(edge))).toEqual([]);
    // An exception that is gone comes off the list.
    expect(KNOWN_EXCEPTIONS.filter((edge) => !found.includes(edge))).toEqual([]);
  });
});
