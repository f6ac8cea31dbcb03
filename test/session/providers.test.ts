// Provider keys given with auth.set, and OAuth (not offered). The catalogue itself: test/provider/.
import { statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sdkV2 } from "../support/sdk.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../support/git.js";
import { referenceConfig } from "../support/reference-config.js";
import { startTestServer, type TestServer } from "../support/server.js";

const REFERENCE_CONFIG = referenceConfig();

let server: TestServer;
let repo: { dir: string };
const sdk = () => sdkV2({ baseUrl: server.url, directory: repo.dir });
const savedKey = process.env.ANTHROPIC_API_KEY;

beforeAll(async () => {
  repo = makeRepo("providers");
  writeFileSync(path.join(repo.dir, "opencode.json"), JSON.stringify(REFERENCE_CONFIG));
  server = await startTestServer({ projectDirectory: repo.dir });
});
afterAll(() => server.close());
afterEach(() => {
  if (savedKey === undefined) delete process.env.ANTHROPIC_API_KEY;
  else process.env.ANTHROPIC_API_KEY = savedKey;
});

describe("auth.set / auth.remove", () => {
  it("stores a key (file mode 0600) that connects the provider, and removes it", async () => {
    delete process.env.OPENAI_API_KEY;
    const client = sdk();
    expect((await client.provider.list()).data!.connected).not.toContain("openai");
    expect((await client.auth.set({ providerID: "openai", auth: { type: "api", key: "sk-stored" } })).data).toBe(true);
    const connected = (await client.provider.list()).data!;
    expect(connected.connected).toContain("openai");
    expect(connected.all.find((p) => p.id === "openai")).toMatchObject({ source: "api", key: "sk-stored" });
    expect(statSync(server.services.credentials.path).mode & 0o777).toBe(0o600);
    expect((await client.auth.remove({ providerID: "openai" })).data).toBe(true);
    expect((await client.provider.list()).data!.connected).not.toContain("openai");
  });
});

describe("provider OAuth", () => {
  it("answers that no provider logs in with OAuth here", async () => {
    const res = await server.fetch("/provider/anthropic/oauth/authorize", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ method: 0 }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ name: "ProviderAuthOauthMissing", data: { providerID: "anthropic" } });
  });
});
