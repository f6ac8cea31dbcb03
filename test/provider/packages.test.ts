// Catalogue providers run through their own AI SDK packages: a key in the environment connects
// the provider, a baseURL override in opencode.json points it at a loopback model server (Chat
// Completions, Anthropic Messages, Google generateContent or OpenAI Responses, as the package
// speaks), and a whole turn runs. A chosen variant changes the provider options sent; a package
// this server does not include ends the run with an error that names it.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upstreamCatalogue } from "../../src/provider/catalogue.js";
import { makeRepo } from "../support/git.js";
import { startDialectServer, type DialectServer } from "../support/provider-dialects.js";
import { startScriptedLlm, type ScriptedLlm } from "../support/scripted-llm.js";
import { jsonInit, startTestServer, type TestServer } from "../support/server.js";

type Reply = {
  info: { providerID: string; modelID: string; error?: { name: string; data: { message: string } } };
  parts: { type: string; text?: string }[];
};

/** A provider's key variable, from the catalogue. */
function keyVariable(providerID: string): string {
  return upstreamCatalogue().providers.get(providerID)!.env[0]!;
}

/** A connected provider's default model, as /config/providers answers it. */
async function defaultModelOf(providerID: string): Promise<string> {
  const res = await server.fetch(`/config/providers?directory=${encodeURIComponent(dir)}`);
  return ((await res.json()) as { default: Record<string, string> }).default[providerID]!;
}

// Where each package's requests go: the Chat Completions fake, or the dialect server with its path prefix.
const CASES = [
  { providerID: "anthropic", dialect: "/v1" },
  { providerID: "google", dialect: "/v1beta" },
  { providerID: "openai", dialect: "/v1" },
  { providerID: "groq" },
  { providerID: "openrouter" },
  { providerID: "deepseek" },
  { providerID: "xai" },
  { providerID: "mistral" },
  { providerID: "togetherai" },
  { providerID: "zai" }, // no package of its own: OpenAI-compatible at its catalogue URL
] as const;

let chat: ScriptedLlm;
let dialects: DialectServer;
let server: TestServer;
let dir: string;

beforeAll(async () => {
  chat = await startScriptedLlm();
  dialects = await startDialectServer(() => "Hello from the dialect server.");
  dir = makeRepo("packages").dir;
  const provider = Object.fromEntries(
    CASES.map((c) => [c.providerID, { options: { baseURL: "dialect" in c ? `${dialects.url}${c.dialect}` : chat.url } }]),
  );
  writeFileSync(path.join(dir, "opencode.json"), JSON.stringify({ provider }));
  for (const c of CASES) process.env[keyVariable(c.providerID)] = `key-for-${c.providerID}`;
  process.env.VENICE_API_KEY = "key-for-venice";
  server = await startTestServer({ projectDirectory: dir });
});
afterAll(async () => {
  await server.close();
  await chat.stop();
  await dialects.stop();
});

/** The agent's own request (the title request next to it offers no tools). */
const isTurn = (request: { body: Record<string, unknown> }) => "tools" in request.body;

async function prompt(providerID: string, modelID: string, variant?: string): Promise<Reply> {
  const session = (await (await server.fetch(`/session?directory=${encodeURIComponent(dir)}`, jsonInit("POST", {}))).json()) as {
    id: string;
  };
  const res = await server.fetch(
    `/session/${session.id}/message?directory=${encodeURIComponent(dir)}`,
    jsonInit("POST", { model: { providerID, modelID }, ...(variant ? { variant } : {}), parts: [{ type: "text", text: "hello" }] }),
  );
  expect(res.status).toBe(200);
  return (await res.json()) as Reply;
}

describe("a turn through each included package", () => {
  for (const c of CASES) {
    it(`${c.providerID}: its default model answers through ${"dialect" in c ? "its own wire format" : "Chat Completions"}`, async () => {
      const model = await defaultModelOf(c.providerID);
      const requests = "dialect" in c ? dialects.requests : chat.requests;
      const before = requests.length;
      const reply = await prompt(c.providerID, model);
      expect(reply.info.error?.data.message).toBeUndefined();
      expect(reply.info).toMatchObject({ providerID: c.providerID, modelID: model });
      expect(reply.parts.find((p) => p.type === "text")?.text).toMatch(/Hello from/);
      const sent = requests.slice(before).find(isTurn)!;
      expect(sent).toBeDefined();
      const auth = `${sent.headers.authorization ?? ""}${sent.headers["x-api-key"] ?? ""}${sent.headers["x-goog-api-key"] ?? ""}`;
      expect(auth).toContain(`key-for-${c.providerID}`);
      expect(sent.headers["user-agent"]).toMatch(/^opencode\/\d+\.\d+\.\d+/);
    });
  }
});

describe("variants", () => {
  it("the chosen variant of a reasoning model changes the provider options sent", async () => {
    const before = dialects.requests.length;
    await prompt("anthropic", "claude-sonnet-4-6", "high");
    const sent = dialects.requests.slice(before).find(isTurn)!;
    expect(sent.body).toMatchObject({ thinking: { type: "adaptive" } });
    expect(JSON.stringify(sent.body)).toContain('"effort":"high"');
    const plain = dialects.requests.length;
    await prompt("anthropic", "claude-sonnet-4-6");
    const without = dialects.requests.slice(plain).find(isTurn)!;
    expect(without.body.thinking).toBeUndefined();
  });
});

describe("a package this server does not include", () => {
  it("ends the run with an error that names the package and how to add it", async () => {
    const model = await defaultModelOf("venice");
    const reply = await prompt("venice", model);
    expect(reply.info.error?.data.message).toMatch(/venice-ai-sdk-provider.*npm install venice-ai-sdk-provider/s);
  });
});
