// Answers built from JSON text the server already holds (records stored as JSON in SQLite)
// instead of parse -> object -> validate -> stringify. Validation stays honest at two levels:
// - each piece (one stored record's text) is checked against the component schema it claims, by
//   the same validators as everything else, and its verdict remembered with its exact text
//   (PieceCheck), so a record is checked again as soon as its stored text changes;
// - the answer's composition (arrays, objects with fixed keys, pieces) is checked once per
//   operation and status against the schema the spec declares for that answer (shapeConforms).
// The dispatcher (src/server/dispatch.ts) does both before it sends such a body.
import type { ErrorObject } from "ajv";

/**
 * How an answer is composed: a piece of a named component schema (`ref`), a piece that is an
 * array of such values (`refs`: joined before it got here, by the database), an array, or an
 * object of fixed keys.
 */
export type PieceShape = { ref: string } | { refs: string } | { array: PieceShape } | { object: Record<string, PieceShape> };

/** One stored record: its JSON text, and the key it is stored under (its verdict is remembered by it, see PieceCheck). */
export interface Piece {
  key: string;
  json: string;
}

/** Values in a shape: a Piece for `ref` and `refs`, an array for `array`, an object (every key of the shape) for `object`. */
export type PieceValue = Piece | PieceValue[] | { [key: string]: PieceValue };

function isPiece(value: PieceValue): value is Piece {
  return !Array.isArray(value) && typeof (value as Piece).json === "string" && typeof (value as Piece).key === "string";
}

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
  if ("refs" in shape) return shapeConforms(schema, { array: { ref: shape.refs } });
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

/** Verdicts remembered per schema up to this many characters of records in all; then the memory starts over. */
const REMEMBERED_CHARS = 64 * 1024 * 1024;

/**
 * Which records have been found valid against which schema: per schema and record key, the exact
 * text that was checked. A record whose text is the same (one string comparison) is the same
 * value and keeps its verdict; a changed record is checked again.
 */
export class PieceCheck {
  private readonly valid = new Map<string, Map<string, string>>();
  private chars = 0;

  constructor(private readonly check: CheckSchema) {}

  /** Whether the piece is JSON of a value of the schema (`many`: of an array of such values). */
  conforms(schemaName: string, piece: Piece, many = false): boolean {
    const memo = many ? `${schemaName}[]` : schemaName;
    let known = this.valid.get(memo);
    if (known?.get(piece.key) === piece.json) return true;
    let value: unknown;
    try {
      value = JSON.parse(piece.json);
    } catch {
      return false;
    }
    if (many ? !Array.isArray(value) || value.some((item) => this.check(schemaName, item)) : this.check(schemaName, value)) return false;
    if (this.chars + piece.json.length > REMEMBERED_CHARS) {
      this.valid.clear();
      this.chars = 0;
      known = undefined;
    }
    if (!known) this.valid.set(memo, (known = new Map()));
    known.set(piece.key, piece.json);
    this.chars += piece.json.length;
    return true;
  }
}

/** Appends the JSON of a value in a shape to `out`; false when one of its pieces does not conform. */
function writeChecked(shape: PieceShape, value: PieceValue, pieces: PieceCheck, out: string[]): boolean {
  if ("ref" in shape) {
    if (!isPiece(value) || !pieces.conforms(shape.ref, value)) return false;
    out.push(value.json);
    return true;
  }
  if ("refs" in shape) {
    if (!isPiece(value) || !pieces.conforms(shape.refs, value, true)) return false;
    out.push(value.json);
    return true;
  }
  if ("array" in shape) {
    if (!Array.isArray(value)) return false;
    out.push("[");
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(",");
      if (!writeChecked(shape.array, value[i]!, pieces, out)) return false;
    }
    out.push("]");
    return true;
  }
  if (typeof value !== "object" || Array.isArray(value) || isPiece(value)) return false;
  let separator = "{";
  for (const [key, inner] of Object.entries(shape.object)) {
    if (!(key in value)) return false;
    out.push(separator, JSON.stringify(key), ":");
    separator = ",";
    if (!writeChecked(inner, value[key]!, pieces, out)) return false;
  }
  out.push(separator === "{" ? "{}" : "}");
  return true;
}

/** The JSON text of a value in a shape, or undefined when one of its pieces does not conform. */
export function serializeChecked(shape: PieceShape, value: PieceValue, pieces: PieceCheck): string | undefined {
  const out: string[] = [];
  return writeChecked(shape, value, pieces, out) ? out.join("") : undefined;
}

/** The value the pieces make, parsed (for the ordinary check and its error report, when a piece fails). */
export function materialize(shape: PieceShape, value: PieceValue): unknown {
  if ("ref" in shape || "refs" in shape) return JSON.parse((value as Piece).json);
  if ("array" in shape) return (value as PieceValue[]).map((item) => materialize(shape.array, item));
  const object = value as Record<string, PieceValue>;
  return Object.fromEntries(Object.entries(shape.object).map(([key, inner]) => [key, materialize(inner, object[key]!)]));
}
