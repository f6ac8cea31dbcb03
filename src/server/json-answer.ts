// Sending a JSON answer, and the check of answers made of pre-serialized pieces
// (src/contract/pre-serialized.ts) before they are sent as they are.
import { operationsById, type OperationId } from "../../generated/operations.js";
import type { OpenApiDocument } from "../contract/served-spec.js";
import { PieceCheck, serializeChecked, shapeConforms, type CheckSchema, type PreSerialized } from "../contract/pre-serialized.js";
import type { RequestContext } from "./context.js";

/**
 * JSON text as express's res.json sends it (the same headers; no body for HEAD), without its
 * per-answer work that does nothing here (charset and mime lookups, freshness: no ETag is made).
 */
export function sendJson({ req, res }: RequestContext, status: number, text: string | Buffer): void {
  // Long text as bytes, as express sends it: a string would be joined to the header text first.
  const body = typeof text !== "string" || text.length < 1000 ? text : Buffer.from(text);
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", typeof body === "string" ? Buffer.byteLength(body) : body.length);
  if (req.method === "HEAD") res.end();
  else res.end(body);
}

/** Answers longer than this are not remembered (a file's content, a long list): they are checked each time. */
const REMEMBERED_ANSWER_CHARS = 64 * 1024;

/**
 * The last answer text found valid per operation and status. An answer serialized to exactly that
 * text again (one string comparison) is the same JSON value and keeps its verdict, so repeated
 * answers (health, a directory's paths, its config) are not walked by the validator each time; a
 * changed answer is new text and is checked again. Answer validators neither coerce nor add
 * defaults, so checking the value before serializing it or the text's value is the same check.
 */
export class ValidAnswerTexts {
  private readonly last = new Map<string, string>();

  /** Whether this text is the one last found valid for the operation and status. */
  known(operationId: string, status: number, text: string): boolean {
    return this.last.get(`${operationId} ${status}`) === text;
  }

  remember(operationId: string, status: number, text: string): void {
    if (text.length <= REMEMBERED_ANSWER_CHARS) this.last.set(`${operationId} ${status}`, text);
  }
}

type Paths = Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;

/** The response-validation seam's side for answers made of pieces: their composition and pieces checked. */
export class PreSerializedAnswers {
  /** Pieces found valid, remembered with their text. */
  private readonly pieces: PieceCheck;
  /** `${operationId} ${status} ${shape}` -> whether that composition is what the spec declares. */
  private readonly conformingShapes = new Map<string, boolean>();

  constructor(
    private readonly served: OpenApiDocument,
    check: CheckSchema,
  ) {
    this.pieces = new PieceCheck(check);
  }

  /** Whether an answer composed as `body.shape` is, by construction, of the schema the operation declares. */
  private shapeDeclared(operationId: OperationId, status: number, body: PreSerialized): boolean {
    const key = `${operationId} ${status} ${JSON.stringify(body.shape)}`;
    let conforms = this.conformingShapes.get(key);
    if (conforms === undefined) {
      const row = operationsById.get(operationId)!;
      const declared = (this.served.paths as Paths)[row.path]?.[row.method]?.responses?.[String(status)];
      conforms = shapeConforms(declared?.content?.["application/json"]?.schema, body.shape);
      this.conformingShapes.set(key, conforms);
    }
    return conforms;
  }

  /**
   * The answer's text when its composition is what the spec declares and each piece conforms
   * (checked once per distinct text, see PieceCheck); undefined otherwise: the caller then
   * checks it the ordinary way, parsed, for the same verdict and error report as any answer.
   */
  text(operationId: OperationId, status: number, body: PreSerialized): string | Buffer | undefined {
    return this.shapeDeclared(operationId, status, body) ? serializeChecked(body.shape, body.value, this.pieces) : undefined;
  }
}
