// The event streams: upstream's SSE headers and framing, server.connected first, heartbeats,
// /event scoped to one directory, /global/event carrying all of them in an envelope.
import { readFileSync } from "node:fs";
import { makeTempDir } from "../support/temp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEventReader } from "../support/sse.js";
import { startTestServer, type TestServer } from "../support/server.js";

type Frame = { id?: string; type?: string; properties?: Record<string, unknown>; directory?: string; payload?: Frame };

let server: TestServer;
let projectA: string;
let projectB: string;

beforeAll(async () => {
  projectA = makeTempDir("a");
  projectB = makeTempDir("b");
  server = await startTestServer({ projectDirectory: projectA, heartbeatMs: 200 });
});
afterAll(() => server.close());

const sseHeaders = JSON.parse(readFileSync(new URL("../fixtures/reference/sse-headers.json", import.meta.url), "utf8")) as Record<
  string,
  { headers: Record<string, string> }
>;

describe("GET /event", () => {
  it("answers with upstream's headers and server.connected first", async () => {
    const reader = await openEventReader(`${server.url}/event`, "event");
    const expected = sseHeaders["/event"]!.headers;
    for (const name of ["content-type", "cache-control", "x-accel-buffering", "x-content-type-options", "vary"]) {
      expect(reader.response.headers.get(name), name).toBe(expected[name]);
    }
    const first = await reader.next<Frame>();
    expect(first).toEqual({ id: expect.stringMatching(/^evt_[0-9a-f]{12}[0-9A-Za-z]{14}$/), type: "server.connected", properties: {} });
    reader.close();
  });

  it("sends server.heartbeat at the configured interval", async () => {
    const reader = await openEventReader(`${server.url}/event`, "event");
    await reader.next();
    const started = Date.now();
    const beat = await reader.next<Frame>((f) => f.type === "server.heartbeat", 3_000);
    expect(beat).toMatchObject({ type: "server.heartbeat", properties: {} });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    reader.close();
  });

  it("carries only the events of its directory, chosen by ?directory= or the header", async () => {
    const streamA = await openEventReader(`${server.url}/event`, "event");
    const streamB = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(projectB)}`, "event");
    const streamBHeader = await openEventReader(`${server.url}/event`, "event", {
      headers: { "x-opencode-directory": encodeURIComponent(projectB) },
    });
    for (const s of [streamA, streamB, streamBHeader]) await s.next();

    server.services.bus.publish({ directory: projectB }, "session.idle", { sessionID: "ses_b" });
    server.services.bus.publish({ directory: projectA }, "session.idle", { sessionID: "ses_a" });

    expect(await streamB.next<Frame>((f) => f.type === "session.idle")).toMatchObject({ properties: { sessionID: "ses_b" } });
    expect(await streamBHeader.next<Frame>((f) => f.type === "session.idle")).toMatchObject({ properties: { sessionID: "ses_b" } });
    expect(await streamA.next<Frame>((f) => f.type === "session.idle")).toMatchObject({ properties: { sessionID: "ses_a" } });
    expect(streamA.frames.filter((f) => (f as Frame).type === "session.idle")).toHaveLength(1);
    expect(streamB.frames.filter((f) => (f as Frame).type === "session.idle")).toHaveLength(1);
    for (const s of [streamA, streamB, streamBHeader]) s.close();
  });
});

describe("GET /global/event", () => {
  it("wraps every directory's events as {directory, project, payload}", async () => {
    const reader = await openEventReader(`${server.url}/global/event`, "global");
    expect(reader.response.headers.get("content-type")).toBe("text/event-stream");
    const first = await reader.next<Frame>();
    expect(first).toEqual({ payload: { id: expect.stringMatching(/^evt_/), type: "server.connected", properties: {} } });

    server.services.bus.publish({ directory: projectB, project: "global" }, "session.idle", { sessionID: "ses_b" });
    server.services.bus.publish({ directory: projectA }, "session.idle", { sessionID: "ses_a" });
    const b = await reader.next<Frame>((f) => f.payload?.type === "session.idle");
    const a = await reader.next<Frame>((f) => f.payload?.type === "session.idle");
    expect(b).toMatchObject({ directory: projectB, project: "global", payload: { properties: { sessionID: "ses_b" } } });
    expect(a).toMatchObject({ directory: projectA, payload: { properties: { sessionID: "ses_a" } } });
    expect((await reader.next<Frame>((f) => f.payload?.type === "server.heartbeat")).directory).toBeUndefined();
    reader.close();
  });

  it("writes every event it sends to the log", async () => {
    const reader = await openEventReader(`${server.url}/global/event`, "global");
    const connected = await reader.next<Frame>();
    reader.close();
    const line = server.logLines().find((l) => (l.event as Frame | undefined)?.payload?.id === connected.payload!.id);
    expect(line).toMatchObject({ msg: "sse event", stream: "/global/event" });
  });

  it("stops listening when the client goes away", async () => {
    await expect.poll(() => server.services.bus.subscriberCount, { timeout: 2_000 }).toBe(0);
    const before = 0;
    const reader = await openEventReader(`${server.url}/global/event`, "global");
    await reader.next();
    expect(server.services.bus.subscriberCount).toBe(before + 1);
    reader.close();
    await expect.poll(() => server.services.bus.subscriberCount, { timeout: 2_000 }).toBe(before);
  });
});
