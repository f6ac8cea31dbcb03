// A real external agent from a manifest: `opencode acp` (the pinned opencode-ai binary, a dev
// dependency) as an `acp` agent with `provider: opencode`, its own model being the scripted LLM.
// The reply streams back through this server as an OpenCode session, and `opencode run --attach
// --agent` reaches a manifest team the same way a client picks any agent.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { fakeProvider, startLlmProject } from "../support/llm-project.js";
import { OPENCODE_BIN, isolatedClientEnv, opencodeAvailable, runOpencode } from "../support/opencode-binary.js";
import type { ScriptedLlm } from "../support/scripted-llm.js";
import { jsonInit, type TestServer } from "../support/server.js";

type Reply = {
  info: { providerID?: string; modelID?: string; error?: { data: { message: string } } };
  parts: { type: string; text?: string; tool?: string }[];
};

let llm: ScriptedLlm;
let server: TestServer;
let dir: string;

beforeAll(async () => {
  ({
    llm,
    server,
    repo: { dir },
  } = await startLlmProject("opencode-acp"));
  // opencode acp reads its own config: the scripted LLM as its only provider, nothing from the network.
  const ownConfig = { model: "fake/m", provider: { fake: fakeProvider(llm.url) }, autoupdate: false, share: "disabled" };
  const env = {
    ...isolatedClientEnv(),
    PATH: `${path.dirname(OPENCODE_BIN)}:${process.env.PATH}`,
    OPENCODE_CONFIG_CONTENT: JSON.stringify(ownConfig),
  };
  const manifest = {
    agents: {
      oc: { type: "acp", provider: "opencode", env, description: "opencode acp, from the manifest" },
      writer: { model: "fake:m", system_prompt: "You write." },
      critic: { model: "fake:m", system_prompt: "You criticise." },
    },
    teams: { pair: { mode: "sequential", members: ["writer", "critic"], description: "Write, then criticise" } },
  };
  writeFileSync(path.join(dir, "agentpool.yml"), stringify(manifest));
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

describe.skipIf(!opencodeAvailable())("opencode acp from a manifest", () => {
  it("answers a prompt through the real opencode acp, its reply streamed back as this server's session", async () => {
    const session = (await (await server.fetch(`/session?directory=${encodeURIComponent(dir)}`, jsonInit("POST", {}))).json()) as {
      id: string;
    };
    const res = await server.fetch(
      `/session/${session.id}/message?directory=${encodeURIComponent(dir)}`,
      jsonInit("POST", { agent: "oc", parts: [{ type: "text", text: "hello from the pool" }] }),
    );
    expect(res.status).toBe(200);
    const reply = (await res.json()) as Reply;
    expect(reply.info.error).toBeUndefined();
    expect(reply.info).toMatchObject({ providerID: "acp", modelID: "oc" });
    expect(
      reply.parts
        .filter((p) => p.type === "text")
        .map((p) => p.text)
        .join(""),
    ).toContain("You said: hello from the pool");
  }, 90_000);

  it("opencode run --attach --agent picks a manifest team; its members' results come back", async () => {
    const run = await runOpencode(["run", "--attach", server.url, "--agent", "pair", "draft a haiku"], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/writer/);
    expect(run.stdout).toMatch(/critic/);
  }, 90_000);
});
