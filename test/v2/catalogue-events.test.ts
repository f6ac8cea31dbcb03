// The events that make the TUI refresh its lists, at upstream's moments: a directory's first /api
// request announces its catalogue (catalog.updated, reference.updated, integration.updated,
// catalog.updated, as the real opencode serve 1.18.33 publishes them), once; a directory's plugins
// are announced with plugin.added as they load. Read over SSE, each frame checked against the spec.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../support/git.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { openEventReader } from "../support/sse.js";

type Frame = { directory?: string; payload: { type: string; properties: Record<string, unknown> } };

const CATALOGUE_EVENTS = new Set(["catalog.updated", "reference.updated", "integration.updated", "plugin.added"]);

let server: TestServer;
let repo: { dir: string };
let plain: { dir: string };
let pluginFile: string;

beforeAll(async () => {
  repo = makeRepo("catalogue-events");
  mkdirSync(path.join(repo.dir, ".opencode", "plugin"), { recursive: true });
  pluginFile = path.join(repo.dir, ".opencode", "plugin", "hello.js");
  writeFileSync(pluginFile, "export const Hello = async () => ({})\n");
  plain = makeRepo("catalogue-events-plain");
  server = await startTestServer({ projectDirectory: plain.dir });
});
afterAll(async () => {
  await server.close();
});

const api = (route: string, directory: string) => server.fetch(`${route}?location[directory]=${encodeURIComponent(directory)}`);

describe("catalogue events", () => {
  it("announces a directory's catalogue on its first /api request, once, and its plugins as they load", async () => {
    const reader = await openEventReader(`${server.url}/global/event`, "global");
    await reader.next(); // server.connected
    const seen = (directory: string) =>
      (reader.frames as Frame[]).filter((f) => f.directory === directory && CATALOGUE_EVENTS.has(f.payload.type)).map((f) => ({ type: f.payload.type, properties: f.payload.properties }));

    expect((await api("/api/agent", repo.dir)).status).toBe(200);
    await expect.poll(() => seen(repo.dir).filter((e) => e.type !== "plugin.added")).toEqual([
      { type: "catalog.updated", properties: {} },
      { type: "reference.updated", properties: {} },
      { type: "integration.updated", properties: {} },
      { type: "catalog.updated", properties: {} },
    ]);
    // The directory's plugins load on its first request.
    await expect.poll(() => seen(repo.dir).filter((e) => e.type === "plugin.added"), { timeout: 15_000 }).toEqual([
      { type: "plugin.added", properties: { id: pluginFile } },
    ]);

    // Later requests (any /api route) announce nothing more.
    expect((await api("/api/reference", repo.dir)).status).toBe(200);
    expect((await api("/api/integration", repo.dir)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen(repo.dir)).toHaveLength(5);

    // Another directory has its own first use (here through the TUI's `@` search).
    expect((await server.fetch(`/api/fs/find?query=x&location[directory]=${encodeURIComponent(plain.dir)}`)).status).toBe(200);
    await expect.poll(() => seen(plain.dir).map((e) => e.type)).toEqual(["catalog.updated", "reference.updated", "integration.updated", "catalog.updated"]);
    reader.close();
  });
});
