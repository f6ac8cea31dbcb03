// session.messages and session.list answer with the stored JSON joined (src/contract/pre-serialized.ts):
// the same answer as the parsed records (what those operations answered before), over every
// query option, with each piece still checked against the spec.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message, Part } from "../../generated/schemas.js";
import { shapeConforms } from "../../src/contract/pre-serialized.js";
import { startTestServer, jsonInit, type TestServer } from "../support/server.js";

let server: TestServer;
let sessionID: string;

const tokens = { input: 10, output: 20, reasoning: 5, cache: { read: 1, write: 0 } };

/** One user message and one assistant message with every kind of part a turn stores. */
function conversation(sessionID: string, n: number): { info: Message; parts: Part[] }[] {
  const user = `msg_${n}a`;
  const assistant = `msg_${n}b`;
  const base = (messageID: string, i: number) => ({ id: `prt_${messageID}_${i}`, sessionID, messageID });
  return [
    {
      info: { id: user, sessionID, role: "user", time: { created: 1000 + n }, agent: "build", model: { providerID: "p", modelID: "m" } },
      parts: [
        { ...base(user, 0), type: "text", text: `question ${n} with "quotes" and \u00e9 and \u2028` },
        { ...base(user, 1), type: "file", mime: "text/plain", url: "file:///tmp/a.txt", filename: "a.txt" },
      ],
    },
    {
      info: {
        id: assistant,
        sessionID,
        role: "assistant",
        time: { created: 1001 + n, completed: 1002 + n },
        parentID: user,
        modelID: "m",
        providerID: "p",
        mode: "build",
        agent: "build",
        path: { cwd: "/tmp", root: "/tmp" },
        cost: 0.5,
        tokens,
      },
      parts: [
        { ...base(assistant, 0), type: "step-start" },
        { ...base(assistant, 1), type: "reasoning", text: "thinking", time: { start: 1, end: 2 } },
        {
          ...base(assistant, 2),
          type: "tool",
          callID: `call_${n}`,
          tool: "read",
          state: { status: "completed", input: { filePath: "a.txt" }, output: "text", title: "a.txt", metadata: { lines: 1 }, time: { start: 1, end: 2 } },
        },
        { ...base(assistant, 3), type: "text", text: `answer ${n}`, time: { start: 3, end: 4 } },
        { ...base(assistant, 4), type: "step-finish", reason: "stop", cost: 0.5, tokens },
      ],
    },
  ] as { info: Message; parts: Part[] }[];
}

beforeAll(async () => {
  server = await startTestServer();
  const created = await server.fetch("/session", jsonInit("POST", { title: "Joined answers" }));
  sessionID = ((await created.json()) as { id: string }).id;
  for (let n = 0; n < 5; n++)
    for (const { info, parts } of conversation(sessionID, n)) {
      await server.services.store.putMessage(info);
      for (const part of parts) await server.services.store.putPart(part);
    }
  const parent = sessionID;
  for (const title of ["Alpha child", "beta 100%_x", "Gamma"])
    await server.fetch("/session", jsonInit("POST", title === "Gamma" ? { title } : { title, parentID: parent }));
});
afterAll(() => server.close());

describe("answers joined from stored JSON", () => {
  it("session.messages: the parsed records, with and without limit", async () => {
    for (const limit of [undefined, 0, 1, 3, 10, 100]) {
      const res = await server.fetch(`/session/${sessionID}/message${limit === undefined ? "" : `?limit=${limit}`}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
      const expected = await server.services.messages.list(sessionID, limit);
      expect(await res.json()).toEqual(JSON.parse(JSON.stringify(expected)));
    }
    const all = (await (await server.fetch(`/session/${sessionID}/message`)).json()) as { parts: { type: string }[] }[];
    expect(all).toHaveLength(10);
    expect(new Set(all.flatMap((m) => m.parts.map((p) => p.type)))).toEqual(new Set(["text", "file", "step-start", "reasoning", "tool", "step-finish"]));
  });

  it("session.list: the parsed records for roots, search, start and limit", async () => {
    const directory = server.services.config.projectDirectory;
    const queries: [string, { roots?: boolean; search?: string; start?: number; limit?: number }][] = [
      ["", {}],
      ["?roots=true", { roots: true }],
      ["?search=ALPHA", { search: "ALPHA" }],
      ["?search=100%25_", { search: "100%_" }],
      ["?limit=2", { limit: 2 }],
      ["?limit=0", { limit: 0 }],
      ["?start=0&roots=false&limit=3", { start: 0, roots: false, limit: 3 }],
      [`?start=${Date.now() + 60_000}`, { start: Date.now() + 60_000 }],
    ];
    for (const [query, input] of queries) {
      const res = await server.fetch(`/session${query}`);
      expect(res.status).toBe(200);
      const expected = await server.services.sessions.list(directory, input);
      expect(await res.json()).toEqual(JSON.parse(JSON.stringify(expected)));
    }
    expect(((await (await server.fetch("/session?search=alpha")).json()) as unknown[]).length).toBe(1);
  });

  it("a stored piece that breaks the spec is still refused (500 ResponseValidationError)", async () => {
    const broken = await server.fetch("/session", jsonInit("POST", { title: "Broken" }));
    const id = ((await broken.json()) as { id: string }).id;
    const [first] = conversation(id, 9);
    await server.services.store.putMessage(first!.info);
    await server.services.store.putPart(first!.parts[0]!);
    // Checked and remembered as valid; the same record changed to break the spec is new text, checked again.
    expect((await server.fetch(`/session/${id}/message`)).status).toBe(200);
    await server.services.store.putPart({ ...first!.parts[0]!, text: 42 } as unknown as Part);
    const res = await server.fetch(`/session/${id}/message`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { name: string; data: { errors: string[] } };
    expect(body.name).toBe("ResponseValidationError");
    expect(body.data.errors.join("\n")).toContain("/0/parts/0");
    await server.services.store.deletePart(first!.info.id, first!.parts[0]!.id);
    expect((await server.fetch(`/session/${id}/message`)).status).toBe(200);
    // The same in the session list: a stored session that breaks the spec is refused there too.
    const session = await server.services.store.getSession(id);
    await server.services.store.putSession({ ...session!, title: 7 } as never);
    expect((await server.fetch("/session")).status).toBe(500);
    await server.services.store.putSession(session!);
    expect((await server.fetch("/session")).status).toBe(200);
  });

  it("only a composition the spec declares is sent joined", () => {
    const items = { type: "array", items: { $ref: "#/components/schemas/Session" }, description: "List" };
    expect(shapeConforms(items, { array: { ref: "Session" } })).toBe(true);
    expect(shapeConforms(items, { array: { ref: "Project" } })).toBe(false);
    expect(shapeConforms({ ...items, maxItems: 3 }, { array: { ref: "Session" } })).toBe(false);
    const object = { type: "object", properties: { a: { $ref: "#/components/schemas/A" } }, required: ["a"], additionalProperties: false };
    expect(shapeConforms(object, { object: { a: { ref: "A" } } })).toBe(true);
    expect(shapeConforms(object, { object: { a: { ref: "A" }, b: { ref: "B" } } })).toBe(false);
    expect(shapeConforms({ ...object, additionalProperties: true }, { object: { a: { ref: "A" } } })).toBe(false);
  });
});
