// Session operations through the JS SDK (v2 client) and raw HTTP: shapes, events in upstream's
// order with their sync twins, per-project listing, errors, and persistence across a restart.
import { existsSync } from "node:fs";
import path from "node:path";
import { sdkV2 } from "../support/sdk.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../support/git.js";
import { openEventReader, type EventReader } from "../support/sse.js";
import { jsonInit, startTestServer, type TestServer } from "../support/server.js";
import { makeTempDir } from "../support/temp.js";

type Session = {
  id: string;
  slug: string;
  projectID: string;
  directory: string;
  path: string;
  title: string;
  parentID?: string;
  version: string;
  time: { created: number; updated: number; archived?: number };
};
type Frame = {
  directory?: string;
  project?: string;
  payload: {
    id?: string;
    type: string;
    properties?: Record<string, unknown>;
    syncEvent?: { type: string; seq: number; aggregateID: string; data: Record<string, unknown> };
  };
};

let server: TestServer;
let repo: { dir: string; rootCommit: string };
let other: { dir: string; rootCommit: string };
let dataDirectory: string;
let global: EventReader;

const sdk = (directory: string) => sdkV2({ baseUrl: server.url, directory });

beforeAll(async () => {
  repo = makeRepo("proj");
  other = makeRepo("proj2");
  dataDirectory = makeTempDir("data");
  server = await startTestServer({ projectDirectory: repo.dir, dataDirectory });
  global = await openEventReader(`${server.url}/global/event`, "global");
});
afterAll(async () => {
  global.close();
  await server.close();
});

async function create(directory: string, body: Record<string, unknown> = {}): Promise<Session> {
  const { data, error } = await sdk(directory).session.create(body);
  expect(error).toBeUndefined();
  return data as Session;
}

describe("session.create", () => {
  it("creates a session in the request's project, with upstream's shape, and announces it", async () => {
    const events = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
    await events.next();
    const before = Date.now();
    const session = await create(repo.dir);
    expect(session).toMatchObject({ projectID: repo.rootCommit, directory: repo.dir, path: "", version: "1.18.33", cost: 0 });
    expect(session.id).toMatch(/^ses_[0-9a-f]{12}[0-9A-Za-z]{14}$/);
    expect(session.slug).toMatch(/^[a-z]+-[a-z]+$/);
    expect(session.title).toMatch(/^New session - \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(session.time.created).toBeGreaterThanOrEqual(before);
    expect(session.time.updated).toBe(session.time.created);

    const created = await events.next<Frame["payload"]>((e) => e.type === "session.created");
    expect(created.properties).toEqual({ sessionID: session.id, info: session });
    // The global stream: the event, then its sync twin, first of this session's sequence.
    const event = await global.next<Frame>((f) => f.payload.type === "session.created" && f.payload.properties?.sessionID === session.id);
    expect(event).toMatchObject({ directory: repo.dir, project: repo.rootCommit });
    const twin = await global.next<Frame>((f) => f.payload.type === "sync" && f.payload.syncEvent?.aggregateID === session.id);
    expect(twin.payload).toEqual({
      type: "sync",
      id: event.payload.id,
      syncEvent: {
        id: event.payload.id,
        type: "session.created.1",
        seq: 0,
        aggregateID: session.id,
        data: { sessionID: session.id, info: session },
      },
    });
    events.close();
  });

  it("announces a project on the global stream the first time it is seen", async () => {
    // It came before the first session.created of that project.
    const frame = global.frames.find((f) => (f as Frame).payload.type === "project.updated" && (f as Frame).project === repo.rootCommit);
    expect(frame).toMatchObject({
      directory: "global",
      payload: { properties: { id: repo.rootCommit, worktree: repo.dir, vcs: "git", sandboxes: [] } },
    });
  });

  it("titles a child session and keeps title, permission rules and parent", async () => {
    const parent = await create(repo.dir);
    const child = await create(repo.dir, { parentID: parent.id, permission: [{ permission: "bash", pattern: "*", action: "ask" }] });
    expect(child.parentID).toBe(parent.id);
    expect(child.title).toMatch(/^Child session - /);
    expect(child).toHaveProperty("permission", [{ permission: "bash", pattern: "*", action: "ask" }]);
    const titled = await create(repo.dir, { title: "My title" });
    expect(titled.title).toBe("My title");
    const children = await sdk(repo.dir).session.children({ sessionID: parent.id });
    expect((children.data as Session[]).map((s) => s.id)).toEqual([child.id]);
  });

  it("sorts new session ids first", async () => {
    const a = await create(repo.dir);
    const b = await create(repo.dir);
    expect(b.id < a.id).toBe(true);
  });
});

describe("session.list", () => {
  it("lists the request project's sessions, newest update first, with roots, search, start and limit", async () => {
    const mine = await create(other.dir, { title: "alpha one" });
    const child = await create(other.dir, { parentID: mine.id, title: "alpha child" });
    const last = await create(other.dir, { title: "beta" });
    const client = sdk(other.dir);
    const all = (await client.session.list()).data as Session[];
    expect(all.map((s) => s.id)).toEqual([last.id, child.id, mine.id]);
    expect(((await client.session.list({ roots: true })).data as Session[]).map((s) => s.id)).toEqual([last.id, mine.id]);
    expect(((await client.session.list({ search: "ALPHA" })).data as Session[]).map((s) => s.id)).toEqual([child.id, mine.id]);
    expect(((await client.session.list({ limit: 1 })).data as Session[]).map((s) => s.id)).toEqual([last.id]);
    expect(((await client.session.list({ start: last.time.updated })).data as Session[]).map((s) => s.id)).toEqual([last.id]);
    // The repo project's list does not include them.
    const repoList = (await sdk(repo.dir).session.list()).data as Session[];
    expect(repoList.some((s) => s.projectID !== repo.rootCommit)).toBe(false);
    // Raw HTTP with the TUI's query (roots=true&limit=100&path=).
    const raw = await server.fetch(`/session?roots=true&limit=100&path=&directory=${encodeURIComponent(other.dir)}`);
    expect(((await raw.json()) as Session[]).map((s) => s.id)).toEqual([last.id, mine.id]);
  });
});

describe("session.get, update, delete", () => {
  it("updates the title and the archive time, publishing session.updated", async () => {
    const session = await create(repo.dir);
    const events = await openEventReader(`${server.url}/event`, "event");
    await events.next();
    const renamed = (await sdk(repo.dir).session.update({ sessionID: session.id, title: "Renamed title" })).data as Session;
    expect(renamed.title).toBe("Renamed title");
    expect(renamed.time.updated).toBeGreaterThanOrEqual(session.time.updated);
    const archived = (await sdk(repo.dir).session.update({ sessionID: session.id, time: { archived: 1234 } })).data as Session;
    expect(archived.time.archived).toBe(1234);
    expect(archived.title).toBe("Renamed title");
    const updated = await events.next<Frame["payload"]>((e) => e.type === "session.updated");
    expect(updated.properties).toEqual({ sessionID: session.id, info: renamed });
    expect((await sdk(repo.dir).session.get({ sessionID: session.id })).data).toEqual(archived);
    const twins = global.frames
      .filter((f) => (f as Frame).payload.syncEvent?.aggregateID === session.id)
      .map((f) => (f as Frame).payload.syncEvent!);
    await expect.poll(() => global.frames.filter((f) => (f as Frame).payload.syncEvent?.aggregateID === session.id).length).toBe(3);
    expect(twins.map((t) => [t.type, t.seq]).slice(0, 1)).toEqual([["session.created.1", 0]]);
    events.close();
  });

  it("deletes a session and its children, publishing session.deleted with the full session", async () => {
    const parent = await create(repo.dir);
    const child = await create(repo.dir, { parentID: parent.id });
    const events = await openEventReader(`${server.url}/event`, "event");
    await events.next();
    const res = await sdk(repo.dir).session.delete({ sessionID: parent.id });
    expect(res.data).toBe(true);
    const deleted = await events.next<Frame["payload"]>((e) => e.type === "session.deleted" && e.properties?.sessionID === parent.id);
    expect(deleted.properties).toEqual({ sessionID: parent.id, info: parent });
    expect(events.frames.some((e) => (e as Frame["payload"]).properties?.sessionID === child.id)).toBe(true);
    for (const id of [parent.id, child.id]) {
      const gone = await server.fetch(`/session/${id}`);
      expect(gone.status).toBe(404);
      expect(await gone.json()).toEqual({ name: "NotFoundError", data: { message: `Session not found: ${id}` } });
    }
    events.close();
  });

  it("answers 404 NotFoundError for unknown sessions, as upstream", async () => {
    const id = "ses_doesnotexist0000000000";
    for (const [method, url, body] of [
      ["GET", `/session/${id}`],
      ["DELETE", `/session/${id}`],
      ["PATCH", `/session/${id}`, { title: "x" }],
      ["GET", `/session/${id}/message`],
      ["GET", `/session/${id}/children`],
      ["GET", `/session/${id}/todo`],
    ] as const) {
      const res = await server.fetch(url, body ? jsonInit(method, body) : { method });
      expect(res.status, `${method} ${url}`).toBe(404);
      expect(await res.json()).toEqual({ name: "NotFoundError", data: { message: `Session not found: ${id}` } });
    }
  });
});

describe("messages, todos, status and share of a fresh session", () => {
  it("has no messages and no todos; unknown messages are 404", async () => {
    const session = await create(repo.dir);
    expect((await sdk(repo.dir).session.messages({ sessionID: session.id })).data).toEqual([]);
    expect((await sdk(repo.dir).session.todo({ sessionID: session.id })).data).toEqual([]);
    const res = await server.fetch(`/session/${session.id}/message/msg_doesnotexist00000000000`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ name: "NotFoundError", data: { message: "Message not found: msg_doesnotexist00000000000" } });
  });

  it("lists no busy session when nothing runs, and aborting an idle session answers true", async () => {
    const session = await create(repo.dir);
    expect((await sdk(repo.dir).session.status()).data).toEqual({});
    expect((await sdk(repo.dir).session.abort({ sessionID: session.id })).data).toBe(true);
  });

  it("refuses to share with a clear 400 (there is no share backend); unsharing answers the session, as upstream", async () => {
    const session = await create(repo.dir);
    const res = await server.fetch(`/session/${session.id}/share`, { method: "POST" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { data: { message: string } }).data.message).toMatch(/no share backend/);
    const unshared = await server.fetch(`/session/${session.id}/share`, { method: "DELETE" });
    expect(unshared.status).toBe(200);
    expect(await unshared.json()).toMatchObject({ id: session.id });
  });
});

describe("projects", () => {
  it("answers the current project of a repository and the global project elsewhere", async () => {
    const current = await sdk(repo.dir).project.current();
    expect(current.data).toMatchObject({ id: repo.rootCommit, worktree: repo.dir, vcs: "git", sandboxes: [] });
    const outside = makeTempDir("outside");
    const globalProject = await server.fetch(`/project/current?directory=${encodeURIComponent(outside)}`);
    expect(await globalProject.json()).toMatchObject({ id: "global", worktree: "/", sandboxes: [] });
    const directories = await sdk(repo.dir).project.directories({ projectID: repo.rootCommit });
    expect(directories.data).toEqual([{ directory: repo.dir }]);
    const list = (await sdk(repo.dir).project.list()).data as { id: string }[];
    expect(list.map((p) => p.id)).toEqual(expect.arrayContaining([repo.rootCommit, other.rootCommit, "global"]));
  });
});

describe("project.update and project.initGit", () => {
  it("renames a project and announces it; an unknown one is a 404", async () => {
    const updated = await sdk(repo.dir).project.update({ projectID: repo.rootCommit, name: "Demo", commands: { start: "npm i" } });
    expect(updated.data).toMatchObject({ id: repo.rootCommit, name: "Demo", commands: { start: "npm i" } });
    await expect
      .poll(() =>
        global.frames.some((f) => (f as Frame).payload.type === "project.updated" && (f as Frame).payload.properties?.name === "Demo"),
      )
      .toBe(true);
    const missing = await server.fetch("/project/nope", {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "x" }),
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ _tag: "ProjectNotFoundError", projectID: "nope", message: "Project not found: nope" });
  });

  it("initialises git in a directory outside any repository", async () => {
    const plain = makeTempDir("plain");
    const res = await server.fetch(`/project/git/init?directory=${encodeURIComponent(plain)}`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(existsSync(path.join(plain, ".git"))).toBe(true);
    const paths = (await (await server.fetch(`/path?directory=${encodeURIComponent(plain)}`)).json()) as { worktree: string };
    expect(paths.worktree).toBe(plain);
  });
});

describe("persistence", () => {
  it("keeps every session with the same ids across a restart", async () => {
    const before = (await sdk(repo.dir).session.list()).data as Session[];
    expect(before.length).toBeGreaterThan(3);
    global.close();
    await server.close();
    server = await startTestServer({ projectDirectory: repo.dir, dataDirectory });
    global = await openEventReader(`${server.url}/global/event`, "global");
    const after = (await sdk(repo.dir).session.list()).data as Session[];
    expect(after).toEqual(before);
  });
});
