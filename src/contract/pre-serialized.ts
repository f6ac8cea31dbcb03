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

/**
 * One stored record: its UTF-8 JSON as stored (bytes, so that it is neither decoded when read nor
 * encoded again when sent) and the key it is stored under (remembering its verdict, see PieceCheck).
 */
export interface Piece {
  key: string;
  json: Buffer;
}

/** Values in a shape: a Piece for `ref`, an array for `array`, an object (every key of the shape) for `object`. */
export type PieceValue = Piece | PieceValue[] | { [key: string]: PieceValue };

function isPiece(value: PieceValue): value is Piece {
  return !Array.isArray(value) && Buffer.isBuffer((value as Piece).json) && typeof (value as Piece).key === "string";
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

/** Verdicts remembered per schema up to this many bytes of records in all; then the memory starts over. */
const REMEMBERED_BYTES = 64 * 1024 * 1024;

/**
 * Which records have been found valid against which schema: per schema and record key, the exact
 * bytes that were checked. A record whose bytes are the same is the same value and keeps its
 * verdict (one memcmp); a changed record is checked again.
 */
export class PieceCheck {
  private readonly valid = new Map<string, Map<string, Buffer>>();
  private bytes = 0;

  constructor(private readonly check: CheckSchema) {}

  conforms(schemaName: string, piece: Piece): boolean {
    let known = this.valid.get(schemaName);
    const checked = known?.get(piece.key);
    if (checked && checked.equals(piece.json)) return true;
    let value: unknown;
    try {
      value = JSON.parse(piece.json.toString("utf8"));
    } catch {
      return false;
    }
    if (this.check(schemaName, value)) return false;
    if (this.bytes + piece.json.length > REMEMBERED_BYTES) {
      this.valid.clear();
      this.bytes = 0;
      known = undefined;
    }
    if (!known) this.valid.set(schemaName, (known = new Map()));
    known.set(piece.key, piece.json);
    this.bytes += piece.json.length;
    return true;
  }
}

const OPEN_ARRAY = Buffer.from("[");
const CLOSE_ARRAY = Buffer.from("]");
const COMMA = Buffer.from(",");
const OPEN_OBJECT = Buffer.from("{");
const CLOSE_OBJECT = Buffer.from("}");

/** `"key":` (after a comma but for the first member), made once per text: answers repeat them per item. */
const prefixes = new Map<string, Buffer>();
function memberPrefix(text: string): Buffer {
  let bytes = prefixes.get(text);
  if (!bytes) prefixes.set(text, (bytes = Buffer.from(text)));
  return bytes;
}

/** Appends the JSON of a value in a shape to `out`; false when one of its pieces does not conform. */
function writeChecked(shape: PieceShape, value: PieceValue, pieces: PieceCheck, out: Buffer[]): boolean {
  if ("ref" in shape) {
    if (!isPiece(value) || !pieces.conforms(shape.ref, value)) return false;
    out.push(value.json);
    return true;
  }
  if ("array" in shape) {
    if (!Array.isArray(value)) return false;
    out.push(OPEN_ARRAY);
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(COMMA);
      if (!writeChecked(shape.array, value[i]!, pieces, out)) return false;
    }
    out.push(CLOSE_ARRAY);
    return true;
  }
  if (typeof value !== "object" || Array.isArray(value) || isPiece(value)) return false;
  out.push(OPEN_OBJECT);
  let first = true;
  for (const [key, inner] of Object.entries(shape.object)) {
    if (!(key in value)) return false;
    out.push(memberPrefix(`${first ? "" : ","}${JSON.stringify(key)}:`));
    first = false;
    if (!writeChecked(inner, value[key]!, pieces, out)) return false;
  }
  out.push(CLOSE_OBJECT);
  return true;
}

/** The JSON of a value in a shape, or undefined when one of its pieces does not conform. */
export function serializeChecked(shape: PieceShape, value: PieceValue, pieces: PieceCheck): Buffer | undefined {
  const out: Buffer[] = [];
  return writeChecked(shape, value, pieces, out) ? Buffer.concat(out) : undefined;
}

/** The value the pieces make, parsed (for the ordinary check and its error report, when a piece fails). */
export function materialize(shape: PieceShape, value: PieceValue): unknown {
  if ("ref" in shape) return JSON.parse((value as Piece).json.toString("utf8"));
  if ("array" in shape) return (value as PieceValue[]).map((item) => materialize(shape.array, item));
  const object = value as Record<string, PieceValue>;
  return Object.fromEntries(Object.entries(shape.object).map(([key, inner]) => [key, materialize(inner, object[key]!)]));
}
