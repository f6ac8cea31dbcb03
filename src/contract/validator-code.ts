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
import { SUCCESS_ALTERNATIVES, type OpenApiDocument } from "./served-spec.js";

/** Each file of validators and the component schemas it holds (schemas used together share a file). */
export function validatorGroups(doc: OpenApiDocument): Record<string, string[]> {
  type Ref = { $ref: string };
  const alternatives = Object.values((doc[SUCCESS_ALTERNATIVES] ?? {}) as Record<string, Record<string, Ref | Ref[]>>)
    .flatMap((byStatus) => Object.values(byStatus).flatMap((refs) => [refs].flat().map((ref) => ref.$ref.split("/").pop()!)))
    .filter((name) => name in doc.components.schemas);
  return {
    config: ["Config"],
    events: ["ServedEvent", "ServedGlobalEvent", "V2Event"],
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
    for (const name of names) ajv.addSchema({ $ref: `spec#/components/schemas/${name.replace(/~/g, "~0").replace(/\//g, "~1")}` }, name);
    const code = standaloneCode(ajv, Object.fromEntries(names.map((name) => [name, name])));
    files.set(validatorFileName(group), `${header}/* eslint-disable */\n${code}\n`);
  }
  return files;
}
