// Answers built from JSON text the server already holds (records stored as JSON in SQLite, or
// joined by the database from them) instead of parse -> object -> validate -> stringify.
// Validation stays honest at two levels:
// - each piece of text is checked against the shape it claims (component schemas, arrays and
//   objects of them) by the same validators as everything else, and its verdict remembered with
//   its exact text (PieceCheck): the same text again is the same value; any change is new text,
//   checked again;
// - the answer's composition is checked once per operation and status against the schema the spec
//   declares for that answer (shapeConforms).
// The dispatcher (src/server/dispatch.ts) does both before it sends such a body.
import type { ErrorObject } from "ajv";

/**
 * How an answer is composed: a value of a named component schema (`ref`), an array, an object of
 * fixed keys, or one stored text holding a whole value of the inner shape (`piece`). In a value a
 * `ref` and a `piece` are each one Piece of text.
 */
export type PieceShape = { ref: string } | { array: PieceShape } | { object: Record<string, PieceShape> } | { piece: PieceShape };

/** One piece of stored JSON text (or its UTF-8 bytes), and the key its verdict is remembered by (see PieceCheck). */
export interface Piece {
  key: string;
  json: string | Buffer;
}

/** Values in a shape: a Piece for `ref` and `piece`, an array for `array`, an object (every key of the shape) for `object`. */
export type PieceValue = Piece | PieceValue[] | { [key: string]: PieceValue };

function isPiece(value: PieceValue): value is Piece {
  const json = (value as Piece).json;
  return !Array.isArray(value) && (typeof json === "string" || Buffer.isBuffer(json)) && typeof (value as Piece).key === "string";
}

/** Whether two pieces of text are the same text (bytes compared as bytes). */
function sameText(a: string | Buffer | undefined, b: string | Buffer): boolean {
  if (typeof b === "string") return a === b;
  return Buffer.isBuffer(a) && a.equals(b);
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
 * object exactly the declared properties, all of them present, no others. Anything else is refused.
 */
export function shapeConforms(schema: unknown, shape: PieceShape): boolean {
  if ("piece" in shape) return shapeConforms(schema, shape.piece);
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

/** Verdicts remembered up to this many characters of text in all; then the memory starts over. */
const REMEMBERED_CHARS = 64 * 1024 * 1024;

/**
 * Which pieces of text have been found valid against which shape: per shape and piece key, the
 * exact text that was checked. The same text again (one string comparison) is the same value and
 * keeps its verdict; a changed record is new text and is checked again.
 */
export class PieceCheck {
  private readonly valid = new Map<string, Map<string, string | Buffer>>();
  private chars = 0;

  constructor(private readonly check: CheckSchema) {}

  /** Whether a parsed value is of the shape: components by their validators, arrays and exact objects walked. */
  private matches(shape: PieceShape, value: unknown): boolean {
    if ("piece" in shape) return this.matches(shape.piece, value);
    if ("ref" in shape) return this.check(shape.ref, value) === null;
    if ("array" in shape) return Array.isArray(value) && value.every((item) => this.matches(shape.array, item));
    if (!value || typeof value !== "object" || Array.isArray(value)) return false;
    const keys = Object.keys(shape.object);
    const object = value as Record<string, unknown>;
    if (Object.keys(object).length !== keys.length) return false;
    return keys.every((key) => key in object && this.matches(shape.object[key]!, object[key]));
  }

  /** Whether the piece's text is JSON of a value of the shape (checked once per distinct text). */
  conforms(shape: PieceShape, piece: Piece): boolean {
    const memo = JSON.stringify(shape);
    let known = this.valid.get(memo);
    if (sameText(known?.get(piece.key), piece.json)) return true;
    let value: unknown;
    try {
      value = JSON.parse(piece.json.toString());
    } catch {
      return false;
    }
    if (!this.matches(shape, value)) return false;
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
function writeChecked(shape: PieceShape, value: PieceValue, pieces: PieceCheck, out: (string | Buffer)[]): boolean {
  if ("ref" in shape || "piece" in shape) {
    if (!isPiece(value) || !pieces.conforms(shape, value)) return false;
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

/**
 * The JSON text of a value in a shape (UTF-8 bytes when a piece is bytes), or undefined when one
 * of its pieces does not conform.
 */
export function serializeChecked(shape: PieceShape, value: PieceValue, pieces: PieceCheck): string | Buffer | undefined {
  const out: (string | Buffer)[] = [];
  if (!writeChecked(shape, value, pieces, out)) return undefined;
  if (out.length === 1) return out[0];
  if (out.every((text) => typeof text === "string")) return out.join("");
  return Buffer.concat(out.map((text) => (typeof text === "string" ? Buffer.from(text) : text)));
}

/** The value the pieces make, parsed (for the ordinary check and its error report, when a piece fails). */
export function materialize(shape: PieceShape, value: PieceValue): unknown {
  if ("ref" in shape || "piece" in shape) return JSON.parse((value as Piece).json.toString());
  if ("array" in shape) return (value as PieceValue[]).map((item) => materialize(shape.array, item));
  const object = value as Record<string, PieceValue>;
  return Object.fromEntries(Object.entries(shape.object).map(([key, inner]) => [key, materialize(inner, object[key]!)]));
}
