// Ahead-of-time validators: `npm run generate` compiles the component schemas the server checks on
// most runs (the config it loads at start, every published event, error answers) into JavaScript
// with Ajv's standalone code, in generated/validators-*.cjs. At run time such a file is required on
// the first check of one of its schemas, instead of Ajv compiling the schema at every start (the
// event unions alone took about 0.8 s to compile; loading their code takes about 50 ms).
//
// The files are CommonJS so that they load synchronously, on first use: a check is a synchronous
// call. They sit in generated/ beside the other generated files and are read from there (dist/
// included), see src/server/validation.ts.
import { createRequire } from "node:module";
import path from "node:path";
import type { Ajv2020 } from "ajv/dist/2020.js";
import { PACKAGE_ROOT } from "../package-root.js";
import { SUCCESS_ALTERNATIVES, type JsonObject, type OpenApiDocument } from "./served-spec.js";

/** The unions whose branches are also generated one by one (SpecSchemas checks the branch a value's type names first). */
const DISCRIMINATED = ["ServedEvent", "V2Event"];

/**
 * For a union (anyOf, nested through $refs) of component schemas each told apart by a single
 * `type` value: type -> the names of the branches with that type. Undefined when the schema is
 * not such a union (a oneOf, an inline branch, a branch without one type value).
 */
export function unionBranches(doc: OpenApiDocument, schemaName: string): Map<string, string[]> | undefined {
  const schemas = doc.components.schemas as Record<string, JsonObject>;
  const branches = new Map<string, string[]>();
  const collect = (schema: JsonObject | undefined, depth: number): boolean => {
    if (!schema || depth > 5) return false;
    if (Array.isArray(schema.anyOf) && Object.keys(schema).every((k) => k === "anyOf" || k === "description"))
      return (schema.anyOf as JsonObject[]).every((item) => collect(item, depth + 1));
    const ref = typeof schema.$ref === "string" ? /^#\/components\/schemas\/([^/]+)$/.exec(schema.$ref)?.[1] : undefined;
    if (!ref) return false;
    const target = schemas[ref];
    if (target && Array.isArray(target.anyOf)) return collect(target, depth + 1);
    const type = (target?.properties as Record<string, JsonObject> | undefined)?.type;
    const value = Array.isArray(type?.enum) && type.enum.length === 1 ? type.enum[0] : type?.const;
    if (typeof value !== "string") return false;
    branches.set(value, [...(branches.get(value) ?? []), ref]);
    return true;
  };
  return collect(schemas[schemaName], 0) ? branches : undefined;
}

/** Each file of validators and the component schemas it holds (schemas used together share a file). */
export function validatorGroups(doc: OpenApiDocument): Record<string, string[]> {
  type Ref = { $ref: string };
  const alternatives = Object.values((doc[SUCCESS_ALTERNATIVES] ?? {}) as Record<string, Record<string, Ref | Ref[]>>)
    .flatMap((byStatus) => Object.values(byStatus).flatMap((refs) => [refs].flat().map((ref) => ref.$ref.split("/").pop()!)))
    .filter((name) => name in doc.components.schemas);
  return {
    config: ["Config"],
    events: [
      ...new Set([
        "ServedEvent",
        "ServedGlobalEvent",
        "V2Event",
        ...DISCRIMINATED.flatMap((name) => [...(unionBranches(doc, name)?.values() ?? [])].flat()),
      ]),
    ],
    errors: [...new Set(["ServerError", "NotImplementedError", "BadRequestError", ...alternatives])].sort(),
  };
}

export function validatorFileName(group: string): string {
  return `validators-${group}.cjs`;
}

export function validatorFilePath(group: string): string {
  return path.join(PACKAGE_ROOT, "generated", validatorFileName(group));
}

/**
 * The text of each validators file: `exports[<schema name>]` is the validate function of that
 * component schema, compiled by `createAjv` (the server's own Ajv setup) with the document added
 * as "spec", so that errors read exactly as those of the validators compiled at run time.
 */
export function renderValidatorFiles(
  doc: OpenApiDocument,
  createAjv: (options: object) => Ajv2020,
  header: string,
): Map<string, string> {
  const standaloneCode = createRequire(import.meta.url)("ajv/dist/standalone").default as (
    ajv: Ajv2020,
    refs: Record<string, string>,
  ) => string;
  const files = new Map<string, string>();
  for (const [group, names] of Object.entries(validatorGroups(doc))) {
    // Default options otherwise: the document is checked against the 2020-12 meta-schema here.
    const ajv = createAjv({ code: { source: true, lines: false, optimize: true }, inlineRefs: false });
    ajv.addSchema(doc as object, "spec");
    const ids = names.map((name) => [name, `spec#/components/schemas/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`]);
    const code = standaloneCode(ajv, Object.fromEntries(ids));
    files.set(validatorFileName(group), `${header}/* eslint-disable */\n${code}\n`);
  }
  return files;
}
