// Messages and parts after real turns: reading, deleting, editing, and forking a session.
import { sdkV2 } from "../support/sdk.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLlmProject } from "../support/llm-project.js";
import type { ScriptedLlm } from "../support/scripted-llm.js";
import { openEventReader } from "../support/sse.js";
import { jsonInit, type TestServer } from "../support/server.js";

type Reply = {
  info: { id: string; role: string; sessionID: string; parentID?: string; time: { created: number } };
  parts: { id: string; type: string; text?: string; messageID: string; sessionID: string }[];
};
type Session = { id: string; title: string; parentID?: string };

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string };
const sdk = () => sdkV2({ baseUrl: server.url, directory: repo.dir });

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("messages"));
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

/** A session with two answered prompts, titled "Fake Title". */
async function conversation(): Promise<{ session: Session; messages: Reply[] }> {
  const session = (await sdk().session.create({ title: "Two turns" })).data as Session;
  for (const text of ["hello there", "second message"]) {
    const res = await server.fetch(`/session/${session.id}/message`, jsonInit("POST", { parts: [{ type: "text", text }] }));
    expect(res.status).toBe(200);
  }
  return { session, messages: (await sdk().session.messages({ sessionID: session.id })).data as Reply[] };
}

describe("messages and parts", () => {
  it("reads one message, limits the list to the newest ones", async () => {
    const { session, messages } = await conversation();
    expect(messages.map((m) => m.info.role)).toEqual(["user", "assistant", "user", "assistant"]);
    const one = (await sdk().session.message({ sessionID: session.id, messageID: messages[1]!.info.id })).data as Reply;
    expect(one).toEqual(messages[1]);
    const last = (await sdk().session.messages({ sessionID: session.id, limit: 1 })).data as Reply[];
    expect(last.map((m) => m.info.id)).toEqual([messages[3]!.info.id]);
  });

  it("deletes a part and a message, publishing message.part.removed and message.removed", async () => {
    const { session, messages } = await conversation();
    const events = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
    await events.next();
    const target = messages[1]!;
    const text = target.parts.find((p) => p.type === "text")!;
    expect((await sdk().part.delete({ sessionID: session.id, messageID: target.info.id, partID: text.id })).data).toBe(true);
    expect(await events.next((e: { type: string }) => e.type === "message.part.removed")).toMatchObject({
      properties: { sessionID: session.id, messageID: target.info.id, partID: text.id },
    });
    expect((await sdk().session.deleteMessage({ sessionID: session.id, messageID: target.info.id })).data).toBe(true);
    expect(await events.next((e: { type: string }) => e.type === "message.removed")).toMatchObject({
      properties: { sessionID: session.id, messageID: target.info.id },
    });
    const after = (await sdk().session.messages({ sessionID: session.id })).data as Reply[];
    expect(after.map((m) => m.info.id)).toEqual([messages[0]!.info.id, messages[2]!.info.id, messages[3]!.info.id]);
    const again = await server.fetch(`/session/${session.id}/message/${target.info.id}`, { method: "DELETE" });
    expect(again.status).toBe(404);
    events.close();
  });

  it("replaces a part with the client's version", async () => {
    const { session, messages } = await conversation();
    const part = messages[0]!.parts[0]!;
    const edited = { ...part, text: "edited text" };
    const res = await sdk().part.update({ sessionID: session.id, messageID: part.messageID, partID: part.id, part: edited as never });
    expect(res.data).toEqual(edited);
    const stored = (await sdk().session.message({ sessionID: session.id, messageID: part.messageID })).data as Reply;
    expect(stored.parts[0]).toEqual(edited);
    const mismatch = await server.fetch(
      `/session/${session.id}/message/${part.messageID}/part/${part.id}`,
      jsonInit("PATCH", { ...edited, id: "prt_other" }),
    );
    expect(mismatch.status).toBe(400);
  });
});

describe("session.fork", () => {
  it("copies the whole conversation into a new session with new ids", async () => {
    const { session, messages } = await conversation();
    const fork = (await sdk().session.fork({ sessionID: session.id })).data as Session;
    expect(fork.title).toBe(`${(await sdk().session.get({ sessionID: session.id })).data!.title} (fork #1)`);
    expect(fork.parentID).toBeUndefined();
    const copies = (await sdk().session.messages({ sessionID: fork.id })).data as Reply[];
    expect(copies.map((m) => m.info.role)).toEqual(messages.map((m) => m.info.role));
    expect(copies.map((m) => m.parts.map((p) => p.type))).toEqual(messages.map((m) => m.parts.map((p) => p.type)));
    expect(copies.map((m) => m.parts.find((p) => p.type === "text")?.text)).toEqual(
      messages.map((m) => m.parts.find((p) => p.type === "text")?.text),
    );
    for (const [i, copy] of copies.entries()) {
      expect(copy.info.id).not.toBe(messages[i]!.info.id);
      expect(copy.info.sessionID).toBe(fork.id);
      expect(copy.info.time.created).toBe(messages[i]!.info.time.created);
    }
    expect(copies[1]!.info.parentID).toBe(copies[0]!.info.id);
    expect(copies[3]!.info.parentID).toBe(copies[2]!.info.id);
    expect((await sdk().session.children({ sessionID: session.id })).data).toEqual([]);
    // As upstream: every fork of a session is "#1"; a fork of a fork counts on.
    const second = (await sdk().session.fork({ sessionID: session.id })).data as Session;
    expect(second.title).toBe(fork.title);
    const ofFork = (await sdk().session.fork({ sessionID: fork.id })).data as Session;
    expect(ofFork.title).toBe(fork.title.replace("(fork #1)", "(fork #2)"));
  });

  it("copies only the messages before a given one", async () => {
    const { session, messages } = await conversation();
    const atSecond = (await sdk().session.fork({ sessionID: session.id, messageID: messages[2]!.info.id })).data as Session;
    const copies = (await sdk().session.messages({ sessionID: atSecond.id })).data as Reply[];
    expect(copies.map((m) => m.info.role)).toEqual(["user", "assistant"]);
    const atFirst = (await sdk().session.fork({ sessionID: session.id, messageID: messages[0]!.info.id })).data as Session;
    expect((await sdk().session.messages({ sessionID: atFirst.id })).data).toEqual([]);
  });
});
