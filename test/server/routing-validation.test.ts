// Routing of every operation, request validation (400 in upstream's shape) and response
// validation (a handler that breaks the spec fails loudly).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operations } from "../../generated/operations.js";
import { handlers } from "../../src/handlers/index.js";
import { Reply } from "../../src/server/context.js";
import { loadServedSpec } from "../../src/contract/served-spec.js";
import { jsonInit, startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** A concrete URL for a spec path: each {param} gets a value its pattern accepts. */
function samplePath(op: (typeof operations)[number]): string {
  const spec = loadServedSpec().paths[op.path]![op.method] as {
    parameters?: { name: string; in: string; schema?: { pattern?: string } }[];
  };
  return op.path
    .replace(/\{([^}]+)\}/g, (_m, name: string) => {
      const param = spec.parameters?.find((p) => p.in === "path" && p.name === name);
      const prefix = param?.schema?.pattern?.replace(/^\^/, "").replace(/_$/, "") ?? "x";
      return `${prefix}_sample`;
    })
    .replace(/\*$/, "some/file.txt");
}

async function call(op: (typeof operations)[number]): Promise<{ status: number; body: unknown; type: string | null }> {
  const controller = new AbortController();
  const init: RequestInit = op.jsonBody ? jsonInit(op.method.toUpperCase(), {}) : { method: op.method.toUpperCase() };
  const res = await server.fetch(samplePath(op), { ...init, signal: controller.signal });
  const type = res.headers.get("content-type");
  if (type?.startsWith("text/event-stream")) {
    controller.abort();
    return { status: res.status, body: undefined, type };
  }
  return { status: res.status, body: await res.text().then((t) => (t ? JSON.parse(t) : undefined)), type };
}

describe("routing", () => {
  it("routes every upstream operation to a handler or its 501 stub, none to 404", async () => {
    const upstream = operations.filter((op) => op.source === "upstream");
    expect(upstream).toHaveLength(188);
    // GET /tui/control/next waits for a queued TUI request: queue one (answered by the sample tui.control.response).
    void server.services.tui.call("/tui/sample", {});
    const results = await Promise.all(upstream.map(async (op) => ({ op, ...(await call(op)) })));
    for (const { op, status, body } of results) {
      const unrouted = status === 404 && JSON.stringify(body).includes("No route for");
      expect(unrouted, `${op.operationId} ${op.method} ${op.path} fell through to 404`).toBe(false);
      if (!(op.operationId in handlers)) {
        expect([400, 501], `${op.operationId} answered ${status}`).toContain(status);
        if (status === 501) {
          expect(body).toEqual({ name: "NotImplemented", data: { message: `${op.operationId} is not implemented` } });
        } else {
          // The sample request lacked a required key: validation answers before the stub would.
          expect(body, op.operationId).toMatchObject({
            name: "BadRequest",
            data: { message: expect.stringMatching(/^(Missing key|Expected)/) },
          });
        }
      }
    }
  });

  it("answers unknown paths and wrong methods with a JSON 404, never HTML", async () => {
    for (const [method, url] of [
      ["GET", "/no/such/route"],
      ["POST", "/global/health"],
      ["GET", "/"],
    ] as const) {
      const res = await server.fetch(url, { method });
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({ name: "NotFoundError", data: { message: `No route for ${method} ${url}` } });
    }
  });

  it("routes the wildcard path /api/fs/read/* with any depth", async () => {
    const res = await server.fetch("/api/fs/read/deeply/nested/file.ts");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ name: "NotFoundError", data: { message: "File not found: deeply/nested/file.ts" } });
  });

  it("serves the merged document at /doc", async () => {
    const res = await server.fetch("/doc");
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.components.schemas)).toContain("ServedEvent");
    expect(Object.keys(doc.components.schemas)).toContain("session.status");
    expect(doc.paths["/api/fs/read/*"]).toBeDefined();
  });
});

describe("request validation", () => {
  const session = "/session/ses_abc";

  it("names a missing body key", async () => {
    const res = await server.fetch(`${session}/message`, jsonInit("POST", {}));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ name: "BadRequest", data: { message: 'Missing key\n  at ["parts"]', kind: "Payload" } });
  });

  it("treats an absent body like an empty one", async () => {
    const res = await server.fetch(`${session}/message`, { method: "POST" });
    expect(await res.json()).toEqual({ name: "BadRequest", data: { message: 'Missing key\n  at ["parts"]', kind: "Payload" } });
  });

  it("names a wrong type, a bad enum value and a bad union member with their path", async () => {
    const wrongType = await server.fetch(`${session}/message`, jsonInit("POST", { parts: "nope" }));
    expect(await wrongType.json()).toEqual({
      name: "BadRequest",
      data: { message: 'Expected array, got "nope"\n  at ["parts"]', kind: "Payload" },
    });

    const badEnum = await server.fetch("/permission/per_x/reply", jsonInit("POST", { reply: "maybe" }));
    expect(badEnum.status).toBe(400);
    expect(await badEnum.json()).toEqual({
      name: "BadRequest",
      data: { message: 'Expected "once" | "always" | "reject", got "maybe"\n  at ["reply"]', kind: "Payload" },
    });

    const badUnion = await server.fetch(`${session}/message`, jsonInit("POST", { parts: [{ type: "bogus" }] }));
    const body = (await badUnion.json()) as { data: { message: string; kind: string } };
    expect(badUnion.status).toBe(400);
    expect(body.data.kind).toBe("Payload");
    expect(body.data.message).toMatch(/^Expected \{ readonly "type": "text", \.\.\. \} \| \{ readonly "type": "file", \.\.\. \}/);
    expect(body.data.message).toMatch(/got \{"type":"bogus"\}\n {2}at \["parts"\]\[0\]$/);
  });

  it("names a missing query parameter", async () => {
    const res = await server.fetch("/find");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ name: "BadRequest", data: { message: 'Missing key\n  at ["pattern"]', kind: "Query" } });
    const content = await server.fetch("/file/content");
    expect(await content.json()).toEqual({ name: "BadRequest", data: { message: 'Missing key\n  at ["path"]', kind: "Query" } });
  });

  // Where an operation declares Effect's bare {_tag: "BadRequest"} for its 400 (session.get,
  // session.create, session.fork, ...), that is the whole body, as upstream answers; the reason
  // goes in the x-agentpool-error header (and the log).
  it("rejects a path parameter that breaks its pattern with the declared 400, the reason in a header", async () => {
    const res = await server.fetch("/session/not-a-session-id");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ _tag: "BadRequest" });
    expect(res.headers.get("x-agentpool-error")).toBe('Params: Expected a string matching the pattern ^ses, got "not-a-session-id" at ["sessionID"]');
  });

  it("answers malformed JSON with the declared 400, as upstream", async () => {
    const res = await server.fetch("/session", { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ _tag: "BadRequest" });
    expect(res.headers.get("x-agentpool-error")).toMatch(/^Payload: Malformed JSON/);
  });

  it("answers a body that breaks the schema of a session.fork with the declared 400, as upstream", async () => {
    const session = (await (await server.fetch("/session", jsonInit("POST", {}))).json()) as { id: string };
    const res = await server.fetch(`/session/${session.id}/fork`, jsonInit("POST", { messageID: "bad" }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ _tag: "BadRequest" });
    expect(res.headers.get("x-agentpool-error")).toContain('at ["messageID"]');
  });

  it("keeps {name, data} with the reason where the operation declares that 400 (session.list's query)", async () => {
    const res = await server.fetch("/session?limit=abc");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ name: "BadRequest", data: { kind: "Query", message: expect.stringContaining('["limit"]') } });
  });

  it("ignores unknown body keys and unknown query keys, as upstream", async () => {
    const res = await server.fetch("/session?bogus=1", jsonInit("POST", { bogus: 1, title: "kept" }));
    expect(res.status).toBe(200);
    const session = (await res.json()) as Record<string, unknown>;
    expect(session.title).toBe("kept");
    expect(session).not.toHaveProperty("bogus");
    const health = await server.fetch("/global/health?unknown=1&directory=/tmp");
    expect(health.status).toBe(200);
  });
});

describe("response validation", () => {
  let broken: TestServer;
  beforeAll(async () => {
    broken = await startTestServer({
      handlers: {
        "global.health": () => ({ healthy: false, version: 1 }) as never,
        "path.get": () => new Reply(500, { oops: true }),
      },
    });
  });
  afterAll(() => broken.close());

  it("fails loudly when a handler answers a body that breaks the spec", async () => {
    const res = await broken.fetch("/global/health");
    expect(res.status).toBe(500);
    const body = (await res.json()) as { name: string; data: { operationId: string; status: number; errors: string[] } };
    expect(body.name).toBe("ResponseValidationError");
    expect(body.data.operationId).toBe("global.health");
    expect(body.data.status).toBe(200);
    expect(body.data.errors.join("\n")).toMatch(/healthy/);
    const logged = broken.logLines().find((l) => l.operationId === "global.health" && l.level === 50);
    expect(logged?.msg).toBe("global.health answered 200 with a body that breaks the spec");
  });

  it("checks error bodies on undeclared statuses against the server error shapes", async () => {
    const res = await broken.fetch("/path");
    expect(res.status).toBe(500);
    expect(((await res.json()) as { name: string }).name).toBe("ResponseValidationError");
  });

  it("checks every answer that differs from the last valid one, also after many valid repeats", async () => {
    // health answers whatever is queued: the same valid body three times, then a broken one, then valid again.
    const answers: unknown[] = [];
    const flaky = await startTestServer({ handlers: { "global.health": () => answers.shift() as never } });
    try {
      const valid = { healthy: true, version: "1.2.3" };
      answers.push(valid, { ...valid }, { ...valid }, { healthy: true, version: 7 }, { healthy: true, version: "1.2.4" }, { ...valid });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await flaky.fetch("/global/health")).status);
      expect(statuses).toEqual([200, 200, 200, 500, 200, 200]);
    } finally {
      await flaky.close();
    }
  });

  it("refuses to publish an event that breaks the spec", () => {
    expect(() => broken.services.bus.publish({ directory: "/x" }, "session.idle", { sessionID: 42 as unknown as string })).toThrow(
      /session.idle breaks the spec/,
    );
  });
});
