// Remote control of a TUI: every /tui/* call publishes the event an attached TUI acts on (and
// answers true with no TUI attached), and the control queue carries requests to an external
// controller and its answers back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEventReader, type EventReader } from "../support/sse.js";
import { jsonInit, startTestServer, type TestServer } from "../support/server.js";
import { makeTempDir } from "../support/temp.js";

type Frame = { type: string; properties: Record<string, unknown> };

let server: TestServer;
let events: EventReader;

beforeAll(async () => {
  server = await startTestServer({ projectDirectory: makeTempDir("tui") });
  events = await openEventReader(`${server.url}/event`, "event");
  await events.next();
});
afterAll(async () => {
  events.close();
  await server.close();
});

async function post(path: string, body?: unknown): Promise<Response> {
  return server.fetch(path, body === undefined ? { method: "POST" } : jsonInit("POST", body));
}

describe("tui.* calls", () => {
  const cases: [string, unknown, string, Record<string, unknown>][] = [
    ["/tui/append-prompt", { text: "hello" }, "tui.prompt.append", { text: "hello" }],
    ["/tui/clear-prompt", undefined, "tui.command.execute", { command: "prompt.clear" }],
    ["/tui/submit-prompt", undefined, "tui.command.execute", { command: "prompt.submit" }],
    ["/tui/open-help", undefined, "tui.command.execute", { command: "help.show" }],
    ["/tui/open-sessions", undefined, "tui.command.execute", { command: "session.list" }],
    ["/tui/open-themes", undefined, "tui.command.execute", { command: "session.list" }],
    ["/tui/open-models", undefined, "tui.command.execute", { command: "model.list" }],
    ["/tui/execute-command", { command: "session_new" }, "tui.command.execute", { command: "session.new" }],
    ["/tui/execute-command", { command: "agent.cycle" }, "tui.command.execute", { command: "agent.cycle" }],
    [
      "/tui/show-toast",
      { title: "Hi", message: "Done", variant: "success", duration: 1500 },
      "tui.toast.show",
      { title: "Hi", message: "Done", variant: "success", duration: 1500 },
    ],
    ["/tui/publish", { type: "tui.prompt.append", properties: { text: "via publish" } }, "tui.prompt.append", { text: "via publish" }],
  ];

  it.each(cases)("POST %s publishes its event and answers true", async (path, body, type, properties) => {
    const res = await post(path, body);
    expect(res.status).toBe(200);
    expect(await res.json()).toBe(true);
    const event = await events.next<Frame>((f) => f.type.startsWith("tui."));
    expect(event).toMatchObject({ type, properties });
    expect(event.properties).toEqual(properties);
  });

  it("select-session publishes tui.session.select for a session that exists, 404 otherwise", async () => {
    const session = (await (await post("/session", {})).json()) as { id: string };
    const res = await post("/tui/select-session", { sessionID: session.id });
    expect(await res.json()).toBe(true);
    expect(await events.next<Frame>((f) => f.type === "tui.session.select")).toMatchObject({ properties: { sessionID: session.id } });

    const missing = await post("/tui/select-session", { sessionID: "ses_doesnotexist" });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ name: "NotFoundError" });
  });

  it("carries the event on /global/event with the directory and project", async () => {
    const global = await openEventReader(`${server.url}/global/event`, "global");
    await global.next();
    await post("/tui/append-prompt", { text: "global" });
    const frame = await global.next<{ directory?: string; project?: string; payload: Frame }>(
      (f) => f.payload.type === "tui.prompt.append",
    );
    expect(frame.payload.properties).toEqual({ text: "global" });
    expect(frame.directory).toBeTruthy();
    expect(frame.project).toBe("global");
    global.close();
  });

  it("rejects a bad toast variant without publishing", async () => {
    const res = await post("/tui/show-toast", { message: "x", variant: "loud" });
    expect(res.status).toBe(400);
  });
});

describe("the control queue", () => {
  it("hands a queued request to GET /tui/control/next and resolves it with POST /tui/control/response", async () => {
    const answer = server.services.tui.call("/tui/open-file", { path: "README.md" });
    const next = await server.fetch("/tui/control/next");
    expect(await next.json()).toEqual({ path: "/tui/open-file", body: { path: "README.md" } });
    const res = await post("/tui/control/response", { opened: true });
    expect(await res.json()).toBe(true);
    expect(await answer).toEqual({ opened: true });
  });

  it("lets a controller wait for the next request before it is queued", async () => {
    const waiting = server.fetch("/tui/control/next").then((r) => r.json());
    // The controller is waiting once the server counts it; then the request is queued.
    await expect.poll(() => server.services.tui.waitingControllers).toBe(1);
    const answer = server.services.tui.call("/tui/confirm", { question: "ok?" });
    expect(await waiting).toEqual({ path: "/tui/confirm", body: { question: "ok?" } });
    await post("/tui/control/response", { confirmed: "yes" });
    expect(await answer).toEqual({ confirmed: "yes" });
  });

  it("does not hand a request to a controller that went away", async () => {
    const controller = new AbortController();
    const gone = server.fetch("/tui/control/next", { signal: controller.signal }).catch(() => undefined);
    await expect.poll(() => server.services.tui.waitingControllers).toBe(1);
    controller.abort();
    await gone;
    await expect.poll(() => server.services.tui.waitingControllers).toBe(0);
    const answer = server.services.tui.call("/tui/after", {});
    expect(await (await server.fetch("/tui/control/next")).json()).toEqual({ path: "/tui/after", body: {} });
    await post("/tui/control/response", [1]);
    expect(await answer).toEqual([1]);
  });
});
