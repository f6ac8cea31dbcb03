// The import graph of src/: every relative import (type-only ones included) of every module, so
// that tests can check the layering (no domain module imports HTTP) and find cycles.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

function modules(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return modules(full);
    return name.endsWith(".ts") ? [full] : [];
  });
}

const IMPORT = /(?:import|export)\s[^;]*?from\s+["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

/** Module (relative to src/, e.g. "session/prompt-service.ts") -> the src modules it imports. */
export function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of modules(SRC)) {
    const text = readFileSync(file, "utf8");
    const targets = new Set<string>();
    for (const match of text.matchAll(IMPORT)) {
      const spec = (match[1] ?? match[2])!;
      const resolved = path.resolve(path.dirname(file), spec.replace(/\.js$/, ".ts"));
      if (resolved.startsWith(SRC)) targets.add(path.relative(SRC, resolved));
    }
    graph.set(path.relative(SRC, file), [...targets].sort());
  }
  return graph;
}

/** Every cycle, each as the list of modules along it (found once, from its smallest module). */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const seen = new Set<string>();
  for (const start of [...graph.keys()].sort()) {
    const stack: string[] = [];
    const visit = (node: string) => {
      if (node === start && stack.length) {
        const key = [...stack].sort().join(" ");
        if (!seen.has(key)) {
          seen.add(key);
          found.push([...stack]);
        }
        return;
      }
      if (stack.includes(node) || node < start) return;
      stack.push(node);
      for (const next of graph.get(node) ?? []) visit(next);
      stack.pop();
    };
    visit(start);
  }
  return found;
}
