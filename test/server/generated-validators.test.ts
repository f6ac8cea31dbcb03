// The validators generated ahead of time (generated/validators-*.cjs) judge values exactly as the
// same schemas compiled at run time do, with the same errors; and a union checked through the
// branch its value's type names gives the verdict of the whole union.
import { createRequire } from "node:module";
import type { ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { loadServedSpec } from "../../src/contract/served-spec.js";
import { unionBranches, validatorFilePath, validatorGroups } from "../../src/contract/validator-code.js";
import { SpecSchemas, createAjv } from "../../src/contract/validation.js";

const doc = loadServedSpec();

const samples: unknown[] = [
  {},
  [],
  "text",
  null,
  { id: "evt_1", type: "session.idle", properties: { sessionID: "ses_1" } },
  { id: "evt_1", type: "session.idle", properties: { sessionID: 7 } },
  { id: "evt_1", type: "session.idle", properties: { sessionID: "ses_1", extra: true } },
  { id: "evt_1", type: "no.such.event", properties: {} },
  { id: "evt_1", type: "server.heartbeat", properties: {} },
  { payload: { id: "evt_1", type: "session.idle", properties: { sessionID: "ses_1" } }, directory: "/tmp" },
  { name: "UnknownError", data: { message: "boom" } },
  { name: "BadRequest", data: {} },
  { model: 3 },
  { provider: { a: { models: { m: { limit: "big" } } } } },
];

/** Errors without schemaPath, which differs (a generated ref is its own function) and nothing reads. */
function errorsOf(validate: ValidateFunction, value: unknown): unknown {
  const valid = validate(structuredClone(value));
  return { valid, errors: validate.errors?.map(({ schemaPath: _path, ...rest }) => rest) ?? null };
}

describe("validators generated ahead of time", () => {
  const compiled = createAjv();
  compiled.addSchema(doc as object, "spec");

  for (const [group, names] of Object.entries(validatorGroups(doc))) {
    it(`${group}: same verdicts and errors as compiled at run time`, () => {
      const generated = createRequire(import.meta.url)(validatorFilePath(group)) as Record<string, ValidateFunction>;
      for (const name of names) {
        const runtime = compiled.getSchema(`spec#/components/schemas/${name}`)!;
        for (const value of samples) expect(errorsOf(generated[name]!, value), `${name} ${JSON.stringify(value)}`).toEqual(errorsOf(runtime, value));
      }
    });
  }

  it("checks a union through the branch the type names, with the union's verdict and errors", () => {
    const schemas = new SpecSchemas(doc);
    expect(unionBranches(doc, "ServedEvent")?.get("session.idle")).toEqual(["EventSessionIdle"]);
    const union = compiled.getSchema("spec#/components/schemas/ServedEvent")!;
    for (const value of samples) {
      const errors = schemas.check("ServedEvent", value);
      expect(errors === null, JSON.stringify(value)).toBe(union(structuredClone(value)));
      if (errors) expect(errors.map(({ schemaPath: _path, ...rest }) => rest)).toEqual(union.errors!.map(({ schemaPath: _path, ...rest }) => rest));
    }
  });
});
