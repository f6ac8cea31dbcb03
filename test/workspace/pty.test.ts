// Terminals: a real pseudo-terminal running bash in the project, typed into and read over the
// WebSocket of /pty/{id}/connect (and /api/pty/{id}/connect), resized, listed, removed, with the
// pty.* events; tickets and basic auth on the WebSocket.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { EventLike } from "../support/event-sequence.js";
import { makeRepo } from "../support/git.js";
import { sdkV1, sdkV2 } from "../support/sdk.js";
import { openEventReader } from "../support/sse.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
let dir: string;
const v1 = () => sdkV1({ baseUrl: server.url, directory: dir });
const v2 = () => sdkV2({ baseUrl: server.url, directory: dir });

beforeAll(async () => {
  dir = makeRepo("pty").dir;
  server = await startTestServer({ projectDirectory: dir });
});
afterAll(() => server.close());

/** Opens the terminal's WebSocket and collects what it sends. */
function connect(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, { headers });
  let received = "";
  const opened = new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
    socket.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  socket.on("message", (data) => (received += data.toString()));
  return {
    socket,
    opened,
    received: () => received,
    async waitFor(text: string, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!received.includes(text)) {
        if (Date.now() > deadline) throw new Error(`never received ${JSON.stringify(text)}; got ${JSON.stringify(received.slice(-500))}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

const wsURL = (path: string) => `${server.url.replace(/^http/, "ws")}${path}`;

describe("terminals", () => {
  it("lists this machine's shells", async () => {
    const shells = (await (await server.fetch("/pty/shells")).json()) as { path: string; name: string; acceptable: boolean }[];
    expect((await v2().pty.shells()).data).toEqual(shells);
    expect(shells).toContainEqual({ path: "/bin/bash", name: "bash", acceptable: true });
  });

  it("runs bash in the project: typed input over the WebSocket, output back, resize, events, remove", async () => {
    const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(dir)}`, "event");
    await reader.next();
    const pty = (await v1().pty.create({ body: { command: "/bin/bash", args: ["--norc", "--noprofile"], title: "shell" } })).data!;
    expect(pty).toMatchObject({ title: "shell", command: "/bin/bash", cwd: dir, status: "running" });
    expect(pty.id).toMatch(/^pty_/);
    await reader.next<EventLike>((e) => e.type === "pty.created", 5_000);

    const term = connect(wsURL(`/pty/${pty.id}/connect?directory=${encodeURIComponent(dir)}`));
    await term.opened;
    term.socket.send("echo hello-$((1+2)) && pwd\r");
    await term.waitFor("hello-3");
    await term.waitFor(dir);

    const resized = (await v1().pty.update({ path: { id: pty.id }, body: { size: { rows: 40, cols: 100 }, title: "renamed" } })).data!;
    expect(resized.title).toBe("renamed");
    term.socket.send("stty size\r");
    await term.waitFor("40 100");

    expect((await v1().pty.list()).data!.map((p) => p.id)).toContain(pty.id);
    expect((await v1().pty.get({ path: { id: pty.id } })).data!.status).toBe("running");

    // A second client gets the scrollback first.
    const late = connect(wsURL(`/pty/${pty.id}/connect?directory=${encodeURIComponent(dir)}`));
    await late.opened;
    await late.waitFor("hello-3");
    late.socket.close();

    expect((await v1().pty.remove({ path: { id: pty.id } })).data).toBe(true);
    await reader.next<EventLike>((e) => e.type === "pty.deleted" && (e.properties as { id: string }).id === pty.id, 5_000);
    expect((await v1().pty.get({ path: { id: pty.id } })).response.status).toBe(404);
    reader.close();
  });

  it("reports the exit of its command: pty.exited, status exited with the code", async () => {
    const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(dir)}`, "event");
    await reader.next();
    const pty = (await v1().pty.create({ body: { command: "/bin/sh", args: ["-c", "exit 7"] } })).data!;
    // Only this terminal's exit: an earlier test's removed terminal may report its own exit late.
    const exited = await reader.next<EventLike>((e) => e.type === "pty.exited" && (e.properties as { id: string }).id === pty.id, 5_000);
    expect(exited.properties).toEqual({ id: pty.id, exitCode: 7 });
    expect((await v1().pty.get({ path: { id: pty.id } })).data).toMatchObject({ status: "exited", exitCode: 7 });
    reader.close();
  });

  it("a plain GET of the connect route is told to upgrade; an unknown terminal is a 404", async () => {
    const pty = (await v1().pty.create({ body: { command: "/bin/sh" } })).data!;
    const plain = await v1().pty.connect({ path: { id: pty.id } });
    expect(plain.response.status).toBe(400);
    await expect(connect(wsURL("/pty/pty_unknown000000000000000000/connect")).opened).rejects.toThrow("HTTP 404");
    expect((await v1().pty.get({ path: { id: "pty_unknown000000000000000000" } })).response.status).toBe(404);
  });

  it("the v1 routes through the v2 SDK client: create, get, update, list, connect (told to upgrade), remove", async () => {
    const pty = (await v2().pty.create({ command: "/bin/sh", title: "via v2 client" })).data!;
    expect((await v2().pty.get({ ptyID: pty.id })).data!.title).toBe("via v2 client");
    expect((await v2().pty.update({ ptyID: pty.id, title: "renamed" })).data!.title).toBe("renamed");
    expect((await v2().pty.list()).data!.map((p) => p.id)).toContain(pty.id);
    expect((await v2().pty.connect({ ptyID: pty.id })).response.status).toBe(400);
    expect((await v2().pty.remove({ ptyID: pty.id })).data).toBe(true);
  });

  it("the v2 routes: create, get, update, list, connect with a ticket, remove", async () => {
    const created = (await v2().v2.pty.create({ command: "/bin/bash", args: ["--norc"] })).data as {
      data: { id: string };
      location: unknown;
    };
    const id = created.data.id;
    expect(((await v2().v2.pty.get({ ptyID: id })).data as { data: { id: string } }).data.id).toBe(id);
    expect(((await v2().v2.pty.update({ ptyID: id, title: "v2 term" })).data as { data: { title: string } }).data.title).toBe("v2 term");
    expect(((await v2().v2.pty.list()).data as { data: { id: string }[] }).data.map((p) => p.id)).toContain(id);
    const ticket = ((await v2().v2.pty.connectToken({ ptyID: id })).data as { data: { ticket: string; expires_in: number } }).data;
    expect(ticket.expires_in).toBeGreaterThan(0);
    const term = connect(wsURL(`/api/pty/${id}/connect?ticket=${ticket.ticket}`));
    await term.opened;
    term.socket.send("echo v2-$((20+22))\r");
    await term.waitFor("v2-42");
    term.socket.close();
    expect((await v2().v2.pty.connect({ ptyID: id })).response.status).toBe(400);
    expect((await v2().v2.pty.remove({ ptyID: id })).response.status).toBe(204);
    const gone = await v2().v2.pty.connect({ ptyID: id });
    expect(gone.response.status).toBe(404);
    expect(gone.error).toMatchObject({ _tag: "PtyNotFoundError", ptyID: id });
  });
});

describe("terminals behind a password", () => {
  let guarded: TestServer;
  beforeAll(async () => {
    guarded = await startTestServer({ projectDirectory: dir, credentials: { username: "opencode", password: "pw" } });
  });
  afterAll(() => guarded.close());

  it("refuses an unauthenticated WebSocket; basic auth or a ticket lets it in (a ticket once)", async () => {
    const auth = { Authorization: `Basic ${Buffer.from("opencode:pw").toString("base64")}` };
    const client = sdkV1({ baseUrl: guarded.url, directory: dir, headers: auth });
    const pty = (await client.pty.create({ body: { command: "/bin/sh" } })).data!;
    const url = `${guarded.url.replace(/^http/, "ws")}/pty/${pty.id}/connect`;
    await expect(connect(url).opened).rejects.toThrow("HTTP 401");
    const withAuth = connect(url, auth);
    await withAuth.opened;
    withAuth.socket.close();
    const v2Client = sdkV2({ baseUrl: guarded.url, directory: dir, headers: auth });
    const { ticket } = (await v2Client.pty.connectToken({ ptyID: pty.id })).data!;
    const withTicket = connect(`${url}?ticket=${ticket}`);
    await withTicket.opened;
    withTicket.socket.close();
    await expect(connect(`${url}?ticket=${ticket}`).opened).rejects.toThrow("HTTP 401");
  });
});
