// JSON Schema validation against the served spec: the Ajv setup every validator shares, a
// validator for any named component schema, and the wording of validation errors.
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, Options, ValidateFunction } from "ajv";
import { createRequire } from "node:module";
import { loadServedSpec, type OpenApiDocument } from "./served-spec.js";
import { unionBranches, validatorFilePath, validatorGroups } from "./validator-code.js";

// ajv-formats is CommonJS whose typed default export is not callable from ESM; require it.
const addFormats = createRequire(import.meta.url)("ajv-formats") as typeof import("ajv-formats").default;

/** The spec is OpenAPI 3.1, whose schemas are JSON Schema 2020-12. */
export function createAjv(options: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: false, verbose: true, validateFormats: true, ...options });
  addFormats(ajv);
  // OpenAPI's own format names that JSON Schema does not define.
  ajv.addFormat("binary", true);
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
  return ajv;
}

/**
 * Validators for component schemas of the served spec. Those generated ahead of time
 * (generated/validators-*.cjs, see src/contract/validator-code.ts) are loaded with the first check
 * of a schema of their file; any other is compiled on its first check, refs resolved in place.
 */
export class SpecSchemas {
  private ajvWithSpec?: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  /** schema name -> the generated file that holds its validator */
  private readonly generated = new Map<string, string>();

  constructor(private readonly doc: OpenApiDocument) {
    // The generated files are the served document's; any other document is compiled as it is.
    if (doc !== loadServedSpec()) return;
    for (const [group, names] of Object.entries(validatorGroups(doc))) for (const name of names) this.generated.set(name, group);
  }

  private loadGenerated(schemaName: string): ValidateFunction | undefined {
    const group = this.generated.get(schemaName);
    if (!group) return undefined;
    const exports = createRequire(import.meta.url)(validatorFilePath(group)) as Record<string, ValidateFunction>;
    return exports[schemaName];
  }

  private get ajv(): Ajv2020 {
    if (!this.ajvWithSpec) {
      // The document's schemas are checked against the meta-schema by `npm run generate`.
      this.ajvWithSpec = createAjv({ validateSchema: false });
      this.ajvWithSpec.addSchema(this.doc as object, "spec");
    }
    return this.ajvWithSpec;
  }

  validator(schemaName: string): ValidateFunction {
    let validate = this.compiled.get(schemaName);
    if (!validate) {
      const pointer = `spec#/components/schemas/${schemaName.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      validate = this.loadGenerated(schemaName) ?? this.ajv.getSchema(pointer);
      if (!validate) throw new Error(`no schema ${schemaName} in the served spec`);
      this.compiled.set(schemaName, validate);
    }
    return validate;
  }

  /** Per union schema told apart by `type`: type -> its branches (null: not such a union). */
  private readonly branches = new Map<string, Map<string, string[]> | null>();

  /** Errors of `value` against a component schema, or null when it conforms. */
  check(schemaName: string, value: unknown): ErrorObject[] | null {
    // A union of ~150 event types: the branch the value's type names decides at once when it
    // conforms; only a value that does not is checked against the whole union, for its errors.
    let branches = this.branches.get(schemaName);
    if (branches === undefined) {
      branches = unionBranches(this.doc, schemaName) ?? null;
      this.branches.set(schemaName, branches);
    }
    const type = branches && value && typeof value === "object" ? (value as { type?: unknown }).type : undefined;
    if (typeof type === "string" && branches!.get(type)?.some((branch) => this.validator(branch)(value))) return null;
    const validate = this.validator(schemaName);
    return validate(value) ? null : [...(validate.errors ?? [])];
  }
}

// ---- wording -------------------------------------------------------------------------------

/** Upstream's path notation: ["parts"][0]["type"]. */
function formatPath(segments: string[]): string {
  return segments.map((s) => (/^\d+$/.test(s) ? `[${s}]` : `[${JSON.stringify(s)}]`)).join("");
}

function pointerSegments(pointer: string): string[] {
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? "undefined" : text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** The schema a local $ref ("#/components/schemas/X", "spec#/...") names in the served document. */
function resolveRef(ref: string): unknown {
  const hash = ref.indexOf("#");
  if (hash < 0) return undefined;
  let value: unknown = loadServedSpec();
  for (const segment of pointerSegments(ref.slice(hash + 1))) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function describeSchema(schema: unknown, depth = 0): string {
  if (!schema || typeof schema !== "object") return "a valid value";
  let s = schema as Record<string, unknown>;
  // Validators compiled from $refs see the refs themselves: describe what they name.
  while (typeof s.$ref === "string" && depth++ < 10) {
    const target = resolveRef(s.$ref);
    if (!target || typeof target !== "object") break;
    s = target as Record<string, unknown>;
  }
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if ("const" in s) return JSON.stringify(s.const);
  const union = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(union)) return union.map((item) => describeSchema(item, depth + 1)).join(" | ");
  if (s.type === "object" || s.properties) {
    const props = (s.properties ?? {}) as Record<string, Record<string, unknown>>;
    const tag = Object.entries(props).find(([, p]) => Array.isArray(p.enum) && p.enum.length === 1);
    return tag ? `{ readonly ${JSON.stringify(tag[0])}: ${JSON.stringify(tag[1].enum![0 as never])}, ... }` : "an object";
  }
  if (Array.isArray(s.type)) return s.type.join(" | ");
  if (typeof s.type === "string") return s.type;
  if (typeof s.$ref === "string") return s.$ref.split("/").pop()!;
  return "a valid value";
}

function valueAt(root: unknown, segments: string[]): unknown {
  let value = root;
  for (const segment of segments) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * One error of a failed validation, worded like upstream's ("Missing key\n  at [\"parts\"]").
 * `root` is the validated value; its first path segment may name the request part.
 */
export function describeValidationError(error: ErrorObject, root: unknown, dropSegments = 0): string {
  const segments = pointerSegments(error.instancePath);
  const value = valueAt(root, segments);
  const shown = segments.slice(dropSegments);
  let message: string;
  switch (error.keyword) {
    case "required": {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      return `Missing key\n  at ${formatPath([...shown, missing])}`;
    }
    case "type":
      message = `Expected ${[(error.params as { type: string | string[] }).type].flat().join(" | ")}, got ${describeValue(value)}`;
      break;
    case "enum":
      message = `Expected ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(" | ")}, got ${describeValue(value)}`;
      break;
    case "const":
      message = `Expected ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}, got ${describeValue(value)}`;
      break;
    case "pattern":
      message = `Expected a string matching the pattern ${(error.params as { pattern: string }).pattern}, got ${describeValue(value)}`;
      break;
    case "anyOf":
    case "oneOf":
      message = `Expected ${describeSchema(error.parentSchema)}, got ${describeValue(value)}`;
      break;
    case "additionalProperties":
      return `Unexpected key\n  at ${formatPath([...shown, (error.params as { additionalProperty: string }).additionalProperty])}`;
    default:
      message = `Expected a value that ${error.message ?? "is valid"}, got ${describeValue(value)}`;
  }
  return shown.length ? `${message}\n  at ${formatPath(shown)}` : message;
}

/** The error to report of a list: for unions Ajv lists the failed branches first and the union last. */
export function primaryError(errors: ErrorObject[]): ErrorObject {
  const union = errors.findLast((e) => e.keyword === "anyOf" || e.keyword === "oneOf");
  return union ?? errors[0]!;
}

/** A list of errors as one line each, for logs and response-validation failures. */
export function summarizeErrors(errors: ErrorObject[], root: unknown): string[] {
  return errors.map(
    (e) =>
      `${e.instancePath || "/"} ${e.message ?? e.keyword}${e.keyword === "required" || e.keyword === "additionalProperties" ? ` (${JSON.stringify(e.params)})` : `, got ${describeValue(valueAt(root, pointerSegments(e.instancePath)))}`}`,
  );
}

/** The part of a request a validation error is about, as upstream names it. */
export type BadRequestKind = "Params" | "Headers" | "Query" | "Body" | "Payload";

/** Which part of a request an openapi-backend error path (/requestBody/..., /query/...) is in. */
export function requestErrorKind(error: ErrorObject): BadRequestKind {
  const [first] = pointerSegments(error.instancePath);
  const missing = error.keyword === "required" ? (error.params as { missingProperty: string }).missingProperty : undefined;
  const part = first ?? missing;
  if (part === "query") return "Query";
  if (part === "path") return "Params";
  if (part === "header") return "Headers";
  return "Payload";
}
