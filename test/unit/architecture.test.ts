// The layering ARCHITECTURE.md describes, checked on the source: no import cycle anywhere in
// src/, no domain module importing the HTTP layer (server/, handlers/), and every operation's
// handler where its operationId says it is.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { operations } from "../../generated/operations.js";
import { cycles, importGraph } from "../support/import-graph.js";

const isHttp = (module: string) => module.startsWith("server/") || module.startsWith("handlers/");
// The entry points compose everything, HTTP included.
const ENTRY_POINTS = new Set(["cli.ts", "main.ts"]);


describe("the layering of src/", () => {
  const graph = importGraph();

  it("has no import cycle (type-only imports included)", () => {
    expect(cycles(graph).map((cycle) => cycle.join(" -> "))).toEqual([]);
  });

  it("has no domain module importing server/ or handlers/", () => {
    const found: string[] = [];
    for (const [module, imports] of graph) {
      if (isHttp(module) || ENTRY_POINTS.has(module)) continue;
      for (const target of imports) if (isHttp(target)) found.push(`${module} -> ${target}`);
    }
    expect(found).toEqual([]);
  });

  it("has every operation's handler in the module its operationId names (src/handlers/<tag>.ts, v2/ for the v2 API)", () => {
    const misplaced = operations.filter((op) => {
      const source = readFileSync(new URL(`../../src/handlers/${op.module}.ts`, import.meta.url), "utf8");
      return !source.includes(`"${op.operationId}":`);
    });
    expect(misplaced.map((op) => `${op.operationId} -> ${op.module}`)).toEqual([]);
  });
});
