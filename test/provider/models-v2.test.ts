// Upstream's v2 model list: /api/model answers what the real opencode serve 1.18.33 answered with
// keys in the environment (test/fixtures/upstream/api-model-keyed.json): the same models in the
// same order, deprecated ones and context cost tiers included, each whole model the same.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ModelV2Info } from "../../generated/schemas.js";
import { makeRepo } from "../support/git.js";
import { startTestServer, type TestServer } from "../support/server.js";

interface Recorded {
  env: Record<string, string>;
  models: { providerID: string; id: string; status: string; cost: ModelV2Info["cost"]; sha256: string }[];
}
const upstream = JSON.parse(readFileSync("test/fixtures/upstream/api-model-keyed.json", "utf8")) as Recorded;

/** JSON with sorted keys and no spaces, as the fixture hashed upstream's models. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}
const hash = (model: ModelV2Info) => createHash("sha256").update(canonical(model)).digest("hex").slice(0, 16);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
afterEach(() => {
  for (const name of Object.keys(upstream.env)) delete process.env[name];
});

describe("GET /api/model with keys in the environment and no configuration", () => {
  it("lists upstream's models in upstream's order, each as upstream has it", async () => {
    Object.assign(process.env, upstream.env);
    const dir = makeRepo("models-v2-keyed").dir;
    const res = await server.fetch(`/api/model?location[directory]=${encodeURIComponent(dir)}`);
    expect(res.status).toBe(200);
    const ours = ((await res.json()) as { data: ModelV2Info[] }).data;
    expect(ours.length).toBe(upstream.models.length);
    const brief = (m: ModelV2Info) => ({ providerID: m.providerID, id: m.id, status: m.status, cost: m.cost, sha256: hash(m) });
    expect(ours.map(brief)).toEqual(upstream.models);
    expect(ours.filter((m) => m.status === "deprecated").length).toBe(39);
    expect(ours.filter((m) => m.cost.length > 1).length).toBe(92);
  });
});
