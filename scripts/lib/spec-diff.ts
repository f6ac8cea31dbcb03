// What changed between two OpenAPI documents: operations added, removed or moved (same
// operationId, other method or path), and component schemas added, removed or changed.
// Pure functions; scripts/spec-sync.ts prints the report.

type Doc = { paths?: Record<string, Record<string, unknown>>; components?: { schemas?: Record<string, unknown> } };

export interface OperationRef {
  operationId: string;
  method: string;
  path: string;
}

export interface SpecDiff {
  operations: { added: OperationRef[]; removed: OperationRef[]; moved: { operationId: string; from: OperationRef; to: OperationRef }[] };
  schemas: { added: string[]; removed: string[]; changed: string[] };
  counts: { operations: [number, number]; schemas: [number, number] };
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

export function listOperations(doc: Doc): OperationRef[] {
  const out: OperationRef[] = [];
  for (const [route, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method] as { operationId?: string } | undefined;
      if (!operation) continue;
      out.push({ operationId: operation.operationId ?? `${method.toUpperCase()} ${route}`, method, path: route });
    }
  }
  return out.sort((a, b) => a.operationId.localeCompare(b.operationId));
}

/** Deep equality of JSON values, blind to the order of object keys. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => jsonEqual(item, other[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => key in right && jsonEqual(left[key], right[key]));
}

export function diffSpecs(oldDoc: Doc, newDoc: Doc): SpecDiff {
  const before = new Map(listOperations(oldDoc).map((op) => [op.operationId, op]));
  const after = new Map(listOperations(newDoc).map((op) => [op.operationId, op]));
  const added = [...after.values()].filter((op) => !before.has(op.operationId));
  const removed = [...before.values()].filter((op) => !after.has(op.operationId));
  const moved = [...after.values()]
    .filter((op) => before.has(op.operationId))
    .map((to) => ({ operationId: to.operationId, from: before.get(to.operationId)!, to }))
    .filter(({ from, to }) => from.method !== to.method || from.path !== to.path);
  const oldSchemas = oldDoc.components?.schemas ?? {};
  const newSchemas = newDoc.components?.schemas ?? {};
  const sorted = (names: string[]) => names.sort((a, b) => a.localeCompare(b));
  return {
    operations: { added, removed, moved },
    schemas: {
      added: sorted(Object.keys(newSchemas).filter((name) => !(name in oldSchemas))),
      removed: sorted(Object.keys(oldSchemas).filter((name) => !(name in newSchemas))),
      changed: sorted(Object.keys(newSchemas).filter((name) => name in oldSchemas && !jsonEqual(oldSchemas[name], newSchemas[name]))),
    },
    counts: { operations: [before.size, after.size], schemas: [Object.keys(oldSchemas).length, Object.keys(newSchemas).length] },
  };
}

export function formatDiff(diff: SpecDiff): string {
  const op = (o: OperationRef) => `${o.operationId} ${o.method.toUpperCase()} ${o.path}`;
  const section = (title: string, lines: string[]) => (lines.length ? [`${title} (${lines.length}):`, ...lines.map((l) => `  ${l}`)] : []);
  const lines = [
    `operations: ${diff.counts.operations[0]} -> ${diff.counts.operations[1]}; schemas: ${diff.counts.schemas[0]} -> ${diff.counts.schemas[1]}`,
    ...section("operations added", diff.operations.added.map(op)),
    ...section("operations removed", diff.operations.removed.map(op)),
    ...section(
      "operations moved",
      diff.operations.moved.map(
        (m) => `${m.operationId}: ${m.from.method.toUpperCase()} ${m.from.path} -> ${m.to.method.toUpperCase()} ${m.to.path}`,
      ),
    ),
    ...section("schemas added", diff.schemas.added),
    ...section("schemas removed", diff.schemas.removed),
    ...section("schemas changed", diff.schemas.changed),
  ];
  const unchanged =
    !diff.operations.added.length &&
    !diff.operations.removed.length &&
    !diff.operations.moved.length &&
    !diff.schemas.added.length &&
    !diff.schemas.removed.length &&
    !diff.schemas.changed.length;
  if (unchanged) lines.push("no operation or schema changed");
  return lines.join("\n");
}
