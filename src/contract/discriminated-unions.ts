// A faster but equivalent form of the spec's tagged unions, for checking answers.
//
// The spec writes a union of object schemas told apart by one property ({"anyOf": [{$ref: TextPart},
// {$ref: ToolPart}, ...]}, each branch requiring `type` with one value). Ajv checks such an anyOf
// branch by branch, building errors for each branch that fails: for 1,000 parts of 12 types that
// is most of the time spent checking GET /session/{id}/message. The same union as
//   allOf: [{if: {properties: {type: {const: "text"}}}, then: {$ref: TextPart}}, ...,
//           {type: object, required: [type], properties: {type: {enum: [every tag]}}}]
// accepts exactly the same values (a value's tag picks its branches; a tag no branch has, or none,
// fails the last check) and runs one branch. Its errors differ, so a value this form rejects is
// checked again against the spec's own form for the errors (src/server/openapi.ts).
import type { JsonObject, OpenApiDocument } from "./served-spec.js";

type Schema = JsonObject;

function localRef(doc: OpenApiDocument, ref: unknown): Schema | undefined {
  if (typeof ref !== "string" || !ref.startsWith("#/")) return undefined;
  let value: unknown = doc;
  for (const segment of ref.slice(2).split("/")) {
    if (!value || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[segment.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return value && typeof value === "object" ? (value as Schema) : undefined;
}

/** The single value a branch gives property `name`, when it requires it and allows one value only. */
function tagOf(branch: Schema, name: string): string | number | boolean | undefined {
  if (branch.type !== "object" || !Array.isArray(branch.required) || !branch.required.includes(name)) return undefined;
  const property = (branch.properties as Record<string, Schema> | undefined)?.[name];
  if (!property) return undefined;
  const value = Array.isArray(property.enum) && property.enum.length === 1 ? property.enum[0] : property.const;
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : undefined;
}

/** The allOf form of an anyOf whose branches are all local $refs to objects tagged by one property. */
function rewrite(doc: OpenApiDocument, anyOf: unknown[]): Schema[] | undefined {
  if (anyOf.length < 3) return undefined;
  const branches = anyOf.map((item) => (item && typeof item === "object" && Object.keys(item).length === 1 ? localRef(doc, (item as Schema).$ref) : undefined));
  if (branches.some((b) => !b)) return undefined;
  const candidates = Object.keys(((branches[0] as Schema).properties ?? {}) as object);
  const name = candidates.find((candidate) => branches.every((b) => tagOf(b!, candidate) !== undefined));
  if (!name) return undefined;
  const byTag = new Map<string | number | boolean, unknown[]>();
  anyOf.forEach((item, i) => {
    const tag = tagOf(branches[i]!, name)!;
    byTag.set(tag, [...(byTag.get(tag) ?? []), item]);
  });
  return [
    ...[...byTag].map(([tag, items]) => ({
      if: { properties: { [name]: { const: tag } } },
      then: items.length === 1 ? items[0] : { anyOf: items },
    })),
    { type: "object", required: [name], properties: { [name]: { enum: [...byTag.keys()] } } },
  ];
}

/** The document with every such union in its allOf form (a new object along each changed path only). */
export function discriminateUnions(doc: OpenApiDocument): OpenApiDocument {
  const walk = (value: unknown): unknown => {
    if (!value || typeof value !== "object") return value;
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      value.forEach((item, i) => {
        const next = walk(item);
        if (next !== item) (copy ??= [...value])[i] = next;
      });
      return copy ?? value;
    }
    let copy: Schema | undefined;
    for (const [key, item] of Object.entries(value)) {
      const next = walk(item);
      if (next !== item) (copy ??= { ...(value as Schema) })[key] = next;
    }
    const schema = copy ?? (value as Schema);
    if (Array.isArray(schema.anyOf) && !("allOf" in schema)) {
      const allOf = rewrite(doc, schema.anyOf);
      if (allOf) {
        const { anyOf: _union, ...rest } = schema;
        return { ...rest, allOf };
      }
    }
    return schema;
  };
  return walk(doc) as OpenApiDocument;
}
