// Terminals: a real pseudo-terminal running bash in the project, typed into and read over the
// WebSocket of /pty/{id}/connect (and /api/pty/{id}/connect), resized, listed, removed, with the
// pty.* events; the replay and upstream's cursor frame; connect tickets (single use, short-lived,
// for one terminal of one directory, only for x-opencode-ticket: 1 from an allowed origin); basic
// auth and origins on the WebSocket; terminals per directory; exited terminals in v1 and v2.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import type { EventLike } from "../support/event-sequence.js";
import { makeRepo } from "../support/git.js";
import { makeTempDir } from "../support/temp.js";
import { sdkV1, sdkV2 } from "../support/sdk.js";
import { openEventReader } from "../support/sse.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
let dir: string;
const v1 = () => sdkV1({ baseUrl: server.url, directory: dir });
const v2 = () => sdkV2({ baseUrl: server.url, directory: dir });
/** What a page of the app sends for a ticket. */
const TICKET = { "x-opencode-ticket": "1" };

beforeAll(async () => {
  dir = makeRepo("pty").dir;
  server = await startTestServer({ projectDirectory: dir });
});
afterAll(() => server.close());

/** Opens the terminal's WebSocket and collects what it sends. */
function connect(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, { headers });
  let received = "";
  /** Every frame: text, or a binary frame as its bytes. */
  const frames: (string | Buffer)[] = [];
  const opened = new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
    socket.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  socket.on("message", (data, isBinary) => {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
    frames.push(isBinary ? bytes : bytes.toString());
    if (!isBinary) received += bytes.toString();
  });
  return {
    socket,
    opened,
    frames,
    received: () => received,
    /** The cursor frames so far: a 0 byte, then {"cursor":N}. */
    cursors: () =>
      frames
        .filter((frame): frame is Buffer => Buffer.isBuffer(frame) && frame[0] === 0)
        .map((frame) => (JSON.parse(frame.subarray(1).toString()) as { cursor: number }).cursor),
    async waitFor(text: string | RegExp, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (typeof text === "string" ? !received.includes(text) : !text.test(received)) {
        if (Date.now() > deadline) throw new Error(`never received ${typeof text === "string" ? JSON.stringify(text) : String(text)}; got ${JSON.stringify(received.slice(-500))}`);
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
    reader.close();
    // v1 reaches running terminals only; v2 keeps the exited one, with its code, until it is removed.
    expect((await v1().pty.list()).data!.map((p) => p.id)).not.toContain(pty.id);
    const gone = await v1().pty.get({ path: { id: pty.id } });
    expect(gone.response.status).toBe(404);
    expect(gone.error).toEqual({ _tag: "PtyNotFoundError", ptyID: pty.id, message: `PTY session not found: ${pty.id}` });
    expect((await v1().pty.update({ path: { id: pty.id }, body: { title: "x" } })).response.status).toBe(404);
    expect((await server.fetch(`/pty/${pty.id}/connect-token`, { method: "POST", headers: { "x-opencode-ticket": "1" } })).status).toBe(404);
    await expect(connect(wsURL(`/pty/${pty.id}/connect`)).opened).rejects.toThrow("HTTP 404");
    const listed = (await v2().v2.pty.list()).data as { data: { id: string; status: string; exitCode?: number }[] };
    expect(listed.data.find((p) => p.id === pty.id)).toMatchObject({ status: "exited", exitCode: 7 });
    expect(((await v2().v2.pty.get({ ptyID: pty.id })).data as { data: unknown }).data).toMatchObject({ status: "exited", exitCode: 7 });
    expect((await v2().v2.pty.remove({ ptyID: pty.id })).response.status).toBe(204);
    expect(((await v2().v2.pty.list()).data as { data: { id: string }[] }).data.map((p) => p.id)).not.toContain(pty.id);
  });

  it("a plain GET of the connect route answers 426 Upgrade Required; an unknown terminal is a 404", async () => {
    const pty = (await v1().pty.create({ body: { command: "/bin/sh" } })).data!;
    const plain = await server.fetch(`/pty/${pty.id}/connect`);
    expect(plain.status).toBe(426);
    expect(plain.headers.get("upgrade")).toBe("websocket");
    expect(await plain.json()).toEqual({ name: "UpgradeRequired", data: { message: expect.stringContaining("WebSocket") } });
    const plainV2 = await server.fetch(`/api/pty/${pty.id}/connect`);
    expect(plainV2.status).toBe(426);
    expect(await plainV2.json()).toEqual({ _tag: "UpgradeRequired", message: expect.stringContaining("WebSocket") });
    const unknown = await server.fetch("/pty/pty_unknown000000000000000000/connect");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ name: "NotFoundError", data: { message: "PTY session not found: pty_unknown000000000000000000" } });
    await expect(connect(wsURL("/pty/pty_unknown000000000000000000/connect")).opened).rejects.toThrow("HTTP 404");
    expect((await v1().pty.get({ path: { id: "pty_unknown000000000000000000" } })).response.status).toBe(404);
    // The v1 SDK's connect is a plain GET: 404 for a terminal that is not running here, else told to upgrade.
    expect((await v1().pty.connect({ path: { id: "pty_unknown000000000000000000" } })).response.status).toBe(404);
    const running = (await v1().pty.create({ body: { command: "/bin/sh", title: "v1 connect" } })).data!;
    expect((await v1().pty.connect({ path: { id: running.id } })).response.status).toBe(426);
    await v1().pty.remove({ path: { id: running.id } });
  });

  it("the v1 routes through the v2 SDK client: create, get, update, list, connect (told to upgrade), remove", async () => {
    const pty = (await v2().pty.create({ command: "/bin/sh", title: "via v2 client" })).data!;
    expect((await v2().pty.get({ ptyID: pty.id })).data!.title).toBe("via v2 client");
    expect((await v2().pty.update({ ptyID: pty.id, title: "renamed" })).data!.title).toBe("renamed");
    expect((await v2().pty.list()).data!.map((p) => p.id)).toContain(pty.id);
    expect((await v2().pty.connect({ ptyID: pty.id })).response.status).toBe(426);
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
    const ticket = ((await v2().v2.pty.connectToken({ ptyID: id }, { headers: TICKET })).data as { data: { ticket: string; expires_in: number } }).data;
    expect(ticket.expires_in).toBeGreaterThan(0);
    const term = connect(wsURL(`/api/pty/${id}/connect?ticket=${ticket.ticket}`));
    await term.opened;
    term.socket.send("echo v2-$((20+22))\r");
    await term.waitFor("v2-42");
    term.socket.close();
    expect((await v2().v2.pty.connect({ ptyID: id })).response.status).toBe(426);
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
    const { ticket } = (await v2Client.pty.connectToken({ ptyID: pty.id }, { headers: TICKET })).data!;
    // The ticket stands in for the password, once.
    const withTicket = connect(`${url}?ticket=${ticket}`);
    await withTicket.opened;
    withTicket.socket.close();
    await expect(connect(`${url}?ticket=${ticket}`).opened).rejects.toThrow("HTTP 403");
    await expect(connect(`${url}?ticket=made-up`).opened).rejects.toThrow("HTTP 403");
    // A page of another site is refused, whatever it presents.
    await expect(connect(url, { ...auth, Origin: "https://evil.example" }).opened).rejects.toThrow("HTTP 403");
  });
});

describe("the replay and the cursor frame", () => {
  it("replays the output, then sends upstream's cursor frame; cursor=N replays from N, cursor=-1 nothing", async () => {
    const pty = (await v1().pty.create({ body: { command: "/bin/bash", args: ["--norc", "--noprofile"], env: { PS1: "ready> " } } })).data!;
    const first = connect(wsURL(`/pty/${pty.id}/connect`));
    await first.opened;
    await first.waitFor("ready> ");
    first.socket.send("echo marker-$((40+2))\r");
    await first.waitFor(/marker-42\r\n.*ready> /s); // and the next prompt
    expect(first.cursors()).toHaveLength(1);
    first.socket.close();

    const full = connect(wsURL(`/pty/${pty.id}/connect`));
    await full.opened;
    await full.waitFor("marker-42");
    await vi.waitFor(() => expect(full.cursors()).toHaveLength(1));
    const end = full.cursors()[0]!;
    // Everything before the cursor frame is the replay, which is all the output so far.
    const replay = full.frames.slice(0, full.frames.findIndex((frame) => Buffer.isBuffer(frame))).join("");
    expect(replay.length).toBe(end);
    expect(replay).toContain("marker-42");
    full.socket.close();

    const skip = connect(wsURL(`/pty/${pty.id}/connect?cursor=-1`));
    await skip.opened;
    await vi.waitFor(() => expect(skip.cursors()).toEqual([end]));
    expect(skip.frames[0]).toEqual(Buffer.concat([Buffer.from([0]), Buffer.from(JSON.stringify({ cursor: end }))]));
    skip.socket.send("echo after-$((1+1))\r");
    await skip.waitFor("after-2");
    expect(skip.received()).not.toContain("marker-42");
    skip.socket.close();

    const from = connect(wsURL(`/pty/${pty.id}/connect?cursor=${end - 5}`));
    await from.opened;
    await vi.waitFor(() => expect(from.cursors()).toHaveLength(1));
    expect((from.frames[0] as string).length).toBe(from.cursors()[0]! - (end - 5));
    from.socket.close();
    await v1().pty.remove({ path: { id: pty.id } });
  });
});

describe("connect tickets", () => {
  const token = (id: string, headers: Record<string, string> = TICKET, version: "v1" | "v2" = "v1") =>
    server.fetch(`${version === "v2" ? "/api" : ""}/pty/${id}/connect-token`, { method: "POST", headers });

  it("are given only for x-opencode-ticket: 1 from no origin, the server's own or an allowed one (403 otherwise)", async () => {
    const pty = (await v1().pty.create({ body: { command: "/bin/sh" } })).data!;
    const missing = await token(pty.id, {});
    expect(missing.status).toBe(403);
    expect(await missing.json()).toEqual({ _tag: "PtyForbiddenError", message: "Invalid PTY connect token request" });
    const missingV2 = await token(pty.id, {}, "v2");
    expect(missingV2.status).toBe(403);
    expect(await missingV2.json()).toEqual({ _tag: "ForbiddenError", message: "Invalid PTY connect token request" });
    expect((await token(pty.id, { "x-opencode-ticket": "true" })).status).toBe(403);
    expect((await token(pty.id, { ...TICKET, origin: "https://evil.example" })).status).toBe(403);
    expect((await token(pty.id, { ...TICKET, origin: "http://localhost:3000" })).status).toBe(200);
    expect((await token(pty.id, { ...TICKET, origin: server.url })).status).toBe(200);
    const issued = await token(pty.id);
    expect(issued.status).toBe(200);
    expect(await issued.json()).toEqual({ ticket: expect.any(String), expires_in: 60 });
    const unknown = await token("pty_unknown000000000000000000");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ _tag: "PtyNotFoundError", ptyID: "pty_unknown000000000000000000" });
    await v1().pty.remove({ path: { id: pty.id } });
  });

  it("open one terminal of one directory, once, within the expiry", async () => {
    const a = (await v1().pty.create({ body: { command: "/bin/sh" } })).data!;
    const b = (await v1().pty.create({ body: { command: "/bin/sh" } })).data!;
    const ticket = async (id: string) => ((await (await token(id)).json()) as { ticket: string }).ticket;

    // Not for another terminal, and a refused ticket is used up.
    const forA = await ticket(a.id);
    await expect(connect(wsURL(`/pty/${b.id}/connect?ticket=${forA}`)).opened).rejects.toThrow("HTTP 403");
    await expect(connect(wsURL(`/pty/${a.id}/connect?ticket=${forA}`)).opened).rejects.toThrow("HTTP 403");

    // Not from another directory (which does not have the terminal at all).
    const other = makeTempDir("pty-other");
    const forA2 = await ticket(a.id);
    await expect(connect(wsURL(`/pty/${a.id}/connect?directory=${encodeURIComponent(other)}&ticket=${forA2}`)).opened).rejects.toThrow(
      "HTTP 404",
    );

    // Once.
    const forA3 = await ticket(a.id);
    const once = connect(wsURL(`/pty/${a.id}/connect?ticket=${forA3}`));
    await once.opened;
    once.socket.close();
    await expect(connect(wsURL(`/pty/${a.id}/connect?ticket=${forA3}`)).opened).rejects.toThrow("HTTP 403");

    // Not after its expiry (60 s).
    const late = await ticket(a.id);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 61_000);
      await expect(connect(wsURL(`/pty/${a.id}/connect?ticket=${late}`)).opened).rejects.toThrow("HTTP 403");
    } finally {
      vi.useRealTimers();
    }

    // Not from a page of another site.
    const fromElsewhere = await ticket(a.id);
    await expect(connect(wsURL(`/pty/${a.id}/connect?ticket=${fromElsewhere}`), { Origin: "https://evil.example" }).opened).rejects.toThrow(
      "HTTP 403",
    );
    await v1().pty.remove({ path: { id: a.id } });
    await v1().pty.remove({ path: { id: b.id } });
  });
});

describe("terminals per directory", () => {
  it("a terminal created for one directory is neither listed nor reachable from another", async () => {
    const other = makeTempDir("pty-elsewhere");
    const inOther = sdkV1({ baseUrl: server.url, directory: other });
    const inOtherV2 = sdkV2({ baseUrl: server.url, directory: other });
    const pty = (await v1().pty.create({ body: { command: "/bin/sh" } })).data!;
    expect((await inOther.pty.list()).data).toEqual([]);
    expect(((await inOtherV2.v2.pty.list()).data as { data: unknown[] }).data).toEqual([]);
    expect((await inOther.pty.get({ path: { id: pty.id } })).response.status).toBe(404);
    expect((await inOtherV2.v2.pty.get({ ptyID: pty.id })).response.status).toBe(404);
    expect((await inOther.pty.update({ path: { id: pty.id }, body: { title: "stolen" } })).response.status).toBe(404);
    expect((await inOther.pty.remove({ path: { id: pty.id } })).response.status).toBe(404);
    expect((await inOtherV2.pty.connectToken({ ptyID: pty.id }, { headers: TICKET })).response.status).toBe(404);
    expect((await server.fetch(`/pty/${pty.id}/connect?directory=${encodeURIComponent(other)}`)).status).toBe(404);
    await expect(connect(wsURL(`/pty/${pty.id}/connect?directory=${encodeURIComponent(other)}`)).opened).rejects.toThrow("HTTP 404");
    await expect(connect(wsURL(`/api/pty/${pty.id}/connect?location[directory]=${encodeURIComponent(other)}`)).opened).rejects.toThrow(
      "HTTP 404",
    );
    // Its own directory still has it.
    const own = connect(wsURL(`/api/pty/${pty.id}/connect?location[directory]=${encodeURIComponent(dir)}`));
    await own.opened;
    own.socket.close();
    expect((await v1().pty.get({ path: { id: pty.id } })).data!.id).toBe(pty.id);
    await v1().pty.remove({ path: { id: pty.id } });
  });
});
