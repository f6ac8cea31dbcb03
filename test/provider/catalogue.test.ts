// Upstream's provider catalogue: /provider, /config/providers and /provider/auth answer what the
// real opencode serve 1.18.33 answered, with no key (the reference capture, its config included)
// and with keys in the environment (recorded the same way, test/fixtures/upstream/).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Provider } from "../../generated/schemas.js";
import { makeRepo } from "../support/git.js";
import { sdkV2 } from "../support/sdk.js";
import { referenceConfig } from "../support/reference-config.js";
import { startTestServer, type TestServer } from "../support/server.js";

const REFERENCE = "../shared/reference/opencode-1.18.33/endpoints";
const readJson = <T>(file: string) => JSON.parse(readFileSync(file, "utf8")) as T;

type Trimmed = Provider | { id: string; name: string; modelCount: number };
const upstreamPlain = readJson<{ body: { all: Trimmed[]; default: Record<string, string>; connected: string[] } }>(
  path.join(REFERENCE, "get_provider.json"),
).body;
const upstreamConfigProviders = readJson<{ body: { providers: Provider[]; default: Record<string, string> } }>(
  path.join(REFERENCE, "get_config_providers.json"),
).body;
const upstreamKeyed = readJson<{
  env: Record<string, string>;
  provider: { connected: string[]; default: Record<string, string>; allIDs: string[]; connectedProviders: Provider[] };
  configProviders: { ids: string[]; default: Record<string, string> };
}>("test/fixtures/upstream/provider-keyed.json");

let server: TestServer;

async function get<T>(route: string, directory: string): Promise<T> {
  const res = await server.fetch(`${route}?directory=${encodeURIComponent(directory)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
afterEach(() => {
  for (const name of Object.keys(upstreamKeyed.env)) delete process.env[name];
});

describe("with the reference configuration and no key", () => {
  let dir: string;
  beforeAll(() => {
    dir = makeRepo("catalogue-plain").dir;
    writeFileSync(path.join(dir, "opencode.json"), JSON.stringify(referenceConfig()));
  });

  it("lists every catalogue provider, OpenCode Zen's free models and the configured one connected, as upstream", async () => {
    const ours = await get<{ all: Provider[]; default: Record<string, string>; connected: string[] }>("/provider", dir);
    expect(ours.connected).toEqual(upstreamPlain.connected);
    expect(ours.default).toEqual(upstreamPlain.default);
    // The capture kept connected providers whole and the others by name and model count.
    const mine = new Map(ours.all.map((p) => [p.id, p]));
    expect([...mine.keys()]).toEqual(upstreamPlain.all.map((p) => p.id));
    for (const theirs of upstreamPlain.all) {
      const provider = mine.get(theirs.id)!;
      if ("modelCount" in theirs) expect([provider.name, Object.keys(provider.models).length]).toEqual([theirs.name, theirs.modelCount]);
      else if (theirs.id === "anthropic") expect(provider.models).toMatchObject(theirs.models);
      else expect(provider).toEqual(theirs);
    }
  });

  it("answers /config/providers with the connected providers and their defaults, as upstream", async () => {
    const ours = await get<{ providers: Provider[]; default: Record<string, string> }>("/config/providers", dir);
    expect(ours).toEqual(upstreamConfigProviders);
  });

  it("answers /provider/auth with upstream's sign-in methods", async () => {
    const theirs = readJson(path.join(REFERENCE, "get_provider_auth.json")) as { body: unknown };
    expect(await get("/provider/auth", dir)).toEqual(theirs.body);
    // The same through the JS SDK (v2), as the TUI reads it.
    expect((await sdkV2({ baseUrl: server.url, directory: dir }).provider.auth()).data).toEqual(theirs.body);
  });
});

describe("with keys in the environment and no configuration", () => {
  let dir: string;
  beforeAll(() => {
    dir = makeRepo("catalogue-keyed").dir;
  });

  it("connects each key's provider with all its catalogue models, options and default model, as upstream", async () => {
    Object.assign(process.env, upstreamKeyed.env);
    const ours = await get<{ all: Provider[]; default: Record<string, string>; connected: string[] }>("/provider", dir);
    expect(ours.connected).toEqual(upstreamKeyed.provider.connected);
    expect(ours.default).toEqual(upstreamKeyed.provider.default);
    expect(ours.all.map((p) => p.id)).toEqual(upstreamKeyed.provider.allIDs);
    const connected = ours.all.filter((p) => ours.connected.includes(p.id));
    expect(connected).toEqual(upstreamKeyed.provider.connectedProviders);

    const config = await get<{ providers: Provider[]; default: Record<string, string> }>("/config/providers", dir);
    expect(config.providers.map((p) => p.id)).toEqual(upstreamKeyed.configProviders.ids);
    expect(config.default).toEqual(upstreamKeyed.configProviders.default);
  });

  it("offers a reasoning model's variants and the demo script no longer", async () => {
    process.env.ANTHROPIC_API_KEY = "sk-ant-test";
    const ours = await get<{ providers: Provider[] }>("/config/providers", dir);
    expect(ours.providers.map((p) => p.id)).toEqual(["anthropic", "opencode"]);
    const sonnet = ours.providers[0]!.models["claude-sonnet-4-6"]!;
    expect(Object.keys(sonnet.variants ?? {})).toEqual(["low", "medium", "high", "max"]);
  });
});
