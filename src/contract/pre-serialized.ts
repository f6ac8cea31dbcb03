// Answers built from JSON text the server already holds (records stored as JSON in SQLite)
// instead of parse -> object -> validate -> stringify. Validation stays honest at two levels:
// - each piece (one stored record's text) is checked against the component schema it claims, by
//   the same validators as everything else, and remembered by its exact text (PieceCheck), so a
//   record is checked again as soon as its stored text changes;
// - the answer's composition (arrays, objects with fixed keys, pieces) is checked once per
//   operation and status against the schema the spec declares for that answer (shapeConforms).
// The dispatcher (src/server/dispatch.ts) does both before it sends such a body.
import type { ErrorObject } from "ajv";

/** How an answer is composed: a piece of a named component schema, an array, or an object of fixed keys. */
export type PieceShape = { ref: string } | { array: PieceShape } | { object: Record<string, PieceShape> };

/** Values in a shape: JSON text for `ref`, an array for `array`, an object (every key of the shape) for `object`. */
export type PieceValue = string | PieceValue[] | { [key: string]: PieceValue };

/** An answer made of pre-serialized pieces; only the dispatcher sends it, after checking it. */
export class PreSerialized {
  constructor(
    readonly shape: PieceShape,
    readonly value: PieceValue,
  ) {}
}

type Schema = Record<string, unknown>;

const COMPONENT = "#/components/schemas/";
/** Keywords that only annotate: a schema with anything else constrains more than the composition says. */
const ANNOTATIONS = new Set(["description", "title", "examples"]);

function onlyKeys(schema: Schema, allowed: string[]): boolean {
  return Object.keys(schema).every((key) => allowed.includes(key) || ANNOTATIONS.has(key));
}

/**
 * Whether every value of `shape` is, by construction, valid against `schema` when its pieces are
 * valid against their components: a ref the same $ref; an array an unconstrained array of it; an
 * object exactly the declared properties, all of them present. Anything else is refused.
 */
export function shapeConforms(schema: unknown, shape: PieceShape): boolean {
  if (!schema || typeof schema !== "object") return false;
  const s = schema as Schema;
  if ("ref" in shape) return onlyKeys(s, ["$ref"]) && s.$ref === `${COMPONENT}${shape.ref}`;
  if ("array" in shape) return s.type === "array" && onlyKeys(s, ["type", "items"]) && shapeConforms(s.items, shape.array);
  if (s.type !== "object" || !onlyKeys(s, ["type", "properties", "required", "additionalProperties"])) return false;
  const properties = (s.properties ?? {}) as Record<string, unknown>;
  const keys = Object.keys(shape.object);
  const declared = Object.keys(properties);
  if (keys.length !== declared.length || !keys.every((key) => key in properties)) return false;
  if (s.additionalProperties !== undefined && s.additionalProperties !== false) return false;
  return keys.every((key) => shapeConforms(properties[key], shape.object[key]!));
}

/** Checks a value of a named component schema: the errors, or null when it conforms. */
export type CheckSchema = (schemaName: string, value: unknown) => ErrorObject[] | null;

/** Texts remembered per schema up to this many characters in all; then the memory starts over. */
const REMEMBERED_CHARS = 64 * 1024 * 1024;

/**
 * Which pieces of text have been found valid against which schema. A stored record's text is the
 * key itself: the same text is the same value, so its verdict holds; a changed record is new text.
 */
export class PieceCheck {
  private readonly valid = new Map<string, Set<string>>();
  private chars = 0;

  constructor(private readonly check: CheckSchema) {}

  /** Whether `text` is JSON of a value valid against `schemaName` (checked once per distinct text). */
  conforms(schemaName: string, text: string): boolean {
    let known = this.valid.get(schemaName);
    if (known?.has(text)) return true;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return false;
    }
    if (this.check(schemaName, value)) return false;
    if (this.chars + text.length > REMEMBERED_CHARS) {
      this.valid.clear();
      this.chars = 0;
      known = undefined;
    }
    if (!known) this.valid.set(schemaName, (known = new Set()));
    known.add(text);
    this.chars += text.length;
    return true;
  }
}

/** The JSON text of a value in a shape, or undefined when one of its pieces does not conform. */
export function serializeChecked(shape: PieceShape, value: PieceValue, pieces: PieceCheck): string | undefined {
  if ("ref" in shape) return typeof value === "string" && pieces.conforms(shape.ref, value) ? value : undefined;
  if ("array" in shape) {
    if (!Array.isArray(value)) return undefined;
    const items: string[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = serializeChecked(shape.array, value[i]!, pieces);
      if (item === undefined) return undefined;
      items[i] = item;
    }
    return `[${items.join(",")}]`;
  }
  if (typeof value !== "object" || Array.isArray(value)) return undefined;
  const members: string[] = [];
  for (const [key, inner] of Object.entries(shape.object)) {
    if (!(key in value)) return undefined;
    const text = serializeChecked(inner, value[key]!, pieces);
    if (text === undefined) return undefined;
    members.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${members.join(",")}}`;
}

/** The value the pieces make, parsed (for the ordinary check and its error report, when a piece fails). */
export function materialize(shape: PieceShape, value: PieceValue): unknown {
  if ("ref" in shape) return JSON.parse(value as string);
  if ("array" in shape) return (value as PieceValue[]).map((item) => materialize(shape.array, item));
  const object = value as Record<string, PieceValue>;
  return Object.fromEntries(Object.entries(shape.object).map(([key, inner]) => [key, materialize(inner, object[key]!)]));
}
