// Answers are checked with the spec's tagged unions in allOf form (src/contract/discriminated-
// unions.ts): it must accept exactly what the spec's anyOf form accepts.
import { describe, expect, it } from "vitest";
import { discriminateUnions } from "../../src/contract/discriminated-unions.js";
import { loadServedSpec } from "../../src/contract/served-spec.js";
import { createAjv } from "../../src/contract/validation.js";

const doc = loadServedSpec();
const tagged = discriminateUnions(doc);

const ids = { id: "prt_1", sessionID: "ses_1", messageID: "msg_1" };
const samples: unknown[] = [
  { ...ids, type: "text", text: "hello" },
  { ...ids, type: "text", text: "hello", time: { start: 1, end: 2 } },
  { ...ids, type: "text" },
  { ...ids, type: "text", text: "hello", bogus: 1 },
  { ...ids, type: "reasoning", text: "hmm", time: { start: 1 } },
  { ...ids, type: "step-start" },
  { ...ids, type: "tool", callID: "c1", tool: "bash", state: { status: "pending", input: {}, raw: "" } },
  { ...ids, type: "tool", callID: "c1", tool: "bash", state: { status: "running", input: {}, time: { start: 1 } } },
  { ...ids, type: "tool", callID: "c1", tool: "bash", state: { status: "done" } },
  { ...ids, type: "no-such-part" },
  { ...ids },
  { ...ids, type: 3 },
  "text",
  null,
  [],
  {},
];

describe("tagged unions in allOf form", () => {
  it("rewrites the spec's tagged unions and leaves its other schemas as they are", () => {
    const schemas = tagged.components.schemas as Record<string, Record<string, unknown>>;
    expect(schemas.Part!.anyOf).toBeUndefined();
    expect(schemas.Part!.allOf).toContainEqual({ if: { properties: { type: { const: "text" } } }, then: { $ref: "#/components/schemas/TextPart" } });
    expect(schemas.ToolState!.allOf).toBeDefined();
    expect(schemas.TextPart).toBe(doc.components.schemas.TextPart);
    expect(doc.components.schemas.Part).toHaveProperty("anyOf");
  });

  it("accepts exactly what the spec's own form accepts", () => {
    const spec = createAjv();
    spec.addSchema(doc as object, "spec");
    const fast = createAjv();
    fast.addSchema(tagged as object, "spec");
    for (const name of ["Part", "ToolState", "Message", "ServedEvent"]) {
      const a = spec.getSchema(`spec#/components/schemas/${name}`)!;
      const b = fast.getSchema(`spec#/components/schemas/${name}`)!;
      for (const value of samples) expect(b(value), `${name} ${JSON.stringify(value)}`).toBe(a(value));
    }
    // and some of the samples are valid parts, so both verdicts were seen
    expect(samples.filter((value) => spec.getSchema("spec#/components/schemas/Part")!(value)).length).toBeGreaterThan(2);
  });
});
