// The Python SDK opencode-ai 0.1.0a36 against this server. CI cannot install the SDK (PyPI is
// unreachable), so this replays the exact requests it sent (headers included; captured from the
// real SDK by scripts/python-sdk/drive.py through a logging proxy) and checks each answer against
// what the SDK's models require. The server validates every answer against the spec plus the
// legacy overlay (spec/overlays/python-sdk-legacy.json) on its way out.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../support/git.js";
import { openEventReader } from "../support/sse.js";
import { startTestServer, type TestServer } from "../support/server.js";

interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const recorded: RecordedRequest[] = readFileSync(path.join(import.meta.dirname, "../fixtures/python-sdk/requests.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line) as RecordedRequest);

const PYTHON_HEADERS = recorded[0]!.headers;

let server: TestServer;
let dir: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  dir = makeRepo("python-sdk").dir;
  writeFileSync(path.join(dir, "README.md"), "hello from the readme\n");
  server = await startTestServer({ projectDirectory: dir });
});
afterAll(() => server.close());

/** Sends a recorded request as the SDK sent it, with this run's ids filled in. */
async function replay(method: string, url: string): Promise<{ status: number; body: any }> {
  const request = recorded.find((r) => r.method === method && r.url === url);
  if (!request) throw new Error(`no recorded request ${method} ${url}`);
  const fill = (text: string) => text.replace(/\{(\w+)\}/g, (_, key: string) => ids[key] ?? `{${key}}`);
  const res = await server.fetch(fill(request.url), {
    method: request.method,
    headers: request.headers,
    ...(request.method === "GET" ? {} : { body: fill(request.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The keys the SDK's AssistantMessage model requires. */
const PYTHON_ASSISTANT_KEYS = ["id", "cost", "mode", "modelID", "path", "providerID", "role", "sessionID", "system", "time", "tokens"];

describe("the Python SDK's requests, replayed", () => {
  it("replays every method the SDK has (26 routes)", () => {
    expect(recorded).toHaveLength(26);
    expect(PYTHON_HEADERS).toMatchObject({ "user-agent": "Opencode/Python 0.1.0-alpha.36", "x-stainless-lang": "python" });
  });

  it("app.get and app.init: the app's host and paths; init marks the project initialised", async () => {
    const before = await replay("GET", "/app");
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ git: true, path: { cwd: dir, root: dir } });
    expect(Object.keys(before.body.path).sort()).toEqual(["config", "cwd", "data", "root", "state"]);
    expect(before.body.time).toEqual({});
    expect(await replay("POST", "/app/init")).toEqual({ status: 200, body: true });
    const after = await replay("GET", "/app");
    expect(after.body.time.initialized).toBeGreaterThan(0);
  });

  it("app.log writes a line to the server's log", async () => {
    expect(await replay("POST", "/log")).toEqual({ status: 200, body: true });
    expect(server.logLines().some((line) => line.msg === "hello from python" && line.service === "python-sdk-check")).toBe(true);
  });

  it("tui.append_prompt and tui.open_help answer true (no TUI needs to be attached)", async () => {
    expect(await replay("POST", "/tui/append-prompt")).toEqual({ status: 200, body: true });
    expect(await replay("POST", "/tui/open-help")).toEqual({ status: 200, body: true });
  });

  it("event.list: the event stream the SDK reads", async () => {
    const request = recorded.find((r) => r.url === "/event")!;
    const events = await openEventReader(`${server.url}/event`, "legacy-event", { headers: request.headers });
    expect(await events.next()).toMatchObject({ type: "server.connected" });
    events.close();
  });

  it("app.modes: the primary agents as modes", async () => {
    const { status, body } = await replay("GET", "/mode");
    expect(status).toBe(200);
    expect(body.map((m: { name: string }) => m.name)).toEqual(["build", "plan"]);
    expect(body[0]).toEqual({ name: "build", tools: {} });
  });

  it("app.providers: models carry the flat flags and the fields the SDK requires", async () => {
    const { status, body } = await replay("GET", "/config/providers");
    expect(status).toBe(200);
    const model = body.providers.find((p: { id: string }) => p.id === "scripted").models.demo;
    expect(model).toMatchObject({
      attachment: false,
      reasoning: false,
      temperature: false,
      tool_call: true,
      release_date: "",
      options: {},
    });
    expect(model.cost).toMatchObject({ input: 0, output: 0 });
    expect(model.limit).toMatchObject({ context: 0, output: 0 });
    // The current clients keep seeing upstream's shape.
    const current = (await (await server.fetch("/config/providers")).json()) as {
      providers: { id: string; models: Record<string, object> }[];
    };
    expect(current.providers.find((p) => p.id === "scripted")!.models.demo).not.toHaveProperty("tool_call");
  });

  it("config.get answers the config", async () => {
    const { status, body } = await replay("GET", "/config");
    expect(status).toBe(200);
    expect(body.$schema).toBe("https://opencode.ai/config.json");
  });

  it("find.files, find.symbols, find.text, file.read (GET /file?path=<file> as raw), file.status", async () => {
    expect(await replay("GET", "/find/file?query=README")).toEqual({ status: 200, body: ["README.md"] });
    expect(await replay("GET", "/find/symbol?query=main")).toEqual({ status: 200, body: [] });
    const text = await replay("GET", "/find?pattern=hello");
    expect(text.body).toEqual([
      expect.objectContaining({ path: { text: "README.md" }, line_number: 1, lines: { text: "hello from the readme\n" } }),
    ]);
    expect(await replay("GET", "/file?path=README.md")).toEqual({ status: 200, body: { type: "raw", content: "hello from the readme\n" } });
    expect(await replay("GET", "/file/status")).toEqual({
      status: 200,
      body: [{ path: "README.md", added: 1, removed: 1, status: "modified" }],
    });
  });

  it("session.create, list, chat (old request form, bare assistant reply with system), messages", async () => {
    const created = await replay("POST", "/session");
    expect(created.status).toBe(200);
    ids.sessionID = created.body.id;
    expect((await replay("GET", "/session")).body.map((s: { id: string }) => s.id)).toContain(ids.sessionID);

    const events = await openEventReader(`${server.url}/event`, "legacy-event", { headers: PYTHON_HEADERS });
    await events.next();
    const chat = await replay("POST", "/session/{sessionID}/message");
    expect(chat.status).toBe(200);
    expect(Object.keys(chat.body)).toEqual(expect.arrayContaining(PYTHON_ASSISTANT_KEYS));
    expect(chat.body).toMatchObject({ role: "assistant", providerID: "scripted", modelID: "demo", mode: "build", system: [] });
    // message.updated reaches a legacy stream with the system list too.
    const updated = await events.next<{ type: string; properties: { info: { role: string; system?: string[] } } }>(
      (e) => e.type === "message.updated" && e.properties.info.role === "assistant",
    );
    expect(updated.properties.info.system).toEqual([]);
    events.close();

    const messages = await replay("GET", "/session/{sessionID}/message");
    expect(messages.status).toBe(200);
    const [user, assistant] = messages.body;
    expect(user.info.role).toBe("user");
    expect(assistant.info.system).toEqual([]);
    expect(assistant.parts.some((p: { type: string; text?: string }) => p.type === "text" && p.text?.includes("hello from python"))).toBe(
      true,
    );
    ids.firstMessageID = user.info.id;
    // A current client's messages are upstream's shape.
    const current = (await (await server.fetch(`/session/${ids.sessionID}/message`)).json()) as { info: object }[];
    expect(current[1]!.info).not.toHaveProperty("system");
  });

  it("session.chat with an unknown model is a 400 that stores nothing", async () => {
    const count = async () => ((await (await server.fetch(`/session/${ids.sessionID}/message`)).json()) as unknown[]).length;
    const before = await count();
    const res = await server.fetch(`/session/${ids.sessionID}/message`, {
      method: "POST",
      headers: recorded.find((r) => r.url === "/session/{sessionID}/message" && r.method === "POST")!.headers,
      body: JSON.stringify({ providerID: "nope", modelID: "x", parts: [{ type: "text", text: "hi" }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ name: "BadRequest", data: { message: expect.stringMatching(/^Model not found: nope\/x\./) } });
    expect(await count()).toBe(before);
  });

  it("session.init, summarize, revert, unrevert, abort", async () => {
    expect(await replay("POST", "/session/{sessionID}/init")).toEqual({ status: 200, body: true });
    expect(await replay("POST", "/session/{sessionID}/summarize")).toEqual({ status: 200, body: true });
    const reverted = await replay("POST", "/session/{sessionID}/revert");
    expect(reverted.status).toBe(200);
    expect(reverted.body.revert.messageID).toBe(ids.firstMessageID);
    const unreverted = await replay("POST", "/session/{sessionID}/unrevert");
    expect(unreverted.body.revert).toBeUndefined();
    expect(await replay("POST", "/session/{sessionID}/abort")).toEqual({ status: 200, body: true });
  });

  it("share answers a 4xx, which the SDK does not retry; unshare answers the session", async () => {
    const { status, body } = await replay("POST", "/session/{sessionID}/share");
    expect(status).toBe(400);
    expect(body.data.message).toMatch(/no share backend/);
    const unshared = await replay("DELETE", "/session/{sessionID}/share");
    expect(unshared.status).toBe(200);
    expect(unshared.body.id).toMatch(/^ses/);
  });

  it("session.delete", async () => {
    expect(await replay("DELETE", "/session/{sessionID}")).toEqual({ status: 200, body: true });
  });

  it("an API client on an unknown path gets a JSON 404, never HTML", async () => {
    const res = await server.fetch("/no/such/legacy/route", { headers: PYTHON_HEADERS });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  });
});
