// session.shell (a user-run command recorded as a bash tool call), and revert / unrevert of the
// files a turn changed, restored from the step snapshots.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sdkV2 } from "../support/sdk.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referenceEvents, sequence, type EventLike } from "../support/event-sequence.js";
import { startLlmProject } from "../support/llm-project.js";
import type { ScriptedLlm } from "../support/scripted-llm.js";
import { openEventReader } from "../support/sse.js";
import { jsonInit, type TestServer } from "../support/server.js";

type Part = {
  type: string;
  files?: string[];
  state?: { status: string; output?: string; metadata?: { output?: string }; input?: unknown };
};
type Reply = {
  info: {
    id: string;
    role: string;
    time: { completed?: number };
    summary?: { diffs: { file: string; status: string; additions: number }[] };
  };
  parts: Part[];
};
type Session = { id: string; revert?: { messageID: string; snapshot?: string; diff?: string } };

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string };
const sdk = () => sdkV2({ baseUrl: server.url, directory: repo.dir });

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("revert"));
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

async function newSession(): Promise<string> {
  return ((await sdk().session.create({})).data as Session).id;
}

describe("session.shell", () => {
  it("runs the command and records it as a completed bash tool call, in upstream's event order", async () => {
    const sessionID = await newSession();
    const events = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
    await events.next();
    const res = await server.fetch(`/session/${sessionID}/shell`, jsonInit("POST", { agent: "build", command: "echo shell-out" }));
    expect(res.status).toBe(200);
    const reply = (await res.json()) as Reply;
    expect(reply.info.role).toBe("assistant");
    expect(reply.info.time.completed).toBeDefined();
    expect(reply.parts).toHaveLength(1);
    expect(reply.parts[0]).toMatchObject({ type: "tool", tool: "bash", callID: expect.stringMatching(/^[0-9A-Z]{26}$/) });
    expect(reply.parts[0]!.state).toMatchObject({
      status: "completed",
      input: { command: "echo shell-out" },
      output: "shell-out\n",
      metadata: { output: "shell-out\n" },
    });
    await events.next((e: EventLike) => e.type === "session.idle");
    events.close();
    const mine = (events.frames as EventLike[]).filter((e) => (e.properties as { sessionID?: string }).sessionID === sessionID);
    expect(sequence(mine)).toEqual(sequence(referenceEvents("shell")));
    const messages = (await sdk().session.messages({ sessionID })).data as Reply[];
    expect(messages[0]!.parts[0]).toMatchObject({ type: "text", text: "The following tool was executed by the user", synthetic: true });
  });
});

describe("revert and unrevert", () => {
  /** A turn during which hello.txt appears, as if the agent had written it. */
  async function turnThatWritesAFile(sessionID: string): Promise<void> {
    llm.setScript((req) =>
      llm.lastUserText(req) === "write it" ? { kind: "text", text: "writing the file now", delayMs: 40 } : undefined,
    );
    const events = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
    await events.next();
    const held = server.fetch(`/session/${sessionID}/message`, jsonInit("POST", { parts: [{ type: "text", text: "write it" }] }));
    await events.next((e: EventLike) => e.type === "message.part.delta");
    writeFileSync(path.join(repo.dir, "hello.txt"), "hello world\n");
    expect((await held).status).toBe(200);
    events.close();
    llm.setScript(undefined);
  }

  it("records the change, reverts the files, and puts them back on unrevert", async () => {
    const sessionID = await newSession();
    await turnThatWritesAFile(sessionID);
    const file = path.join(repo.dir, "hello.txt");
    const messages = (await sdk().session.messages({ sessionID })).data as Reply[];
    const patch = messages[1]!.parts.find((p) => p.type === "patch");
    expect(patch?.files).toEqual([file]);
    // The turn's diff summary is published after the run ends (as upstream), so it may lag the reply.
    await expect
      .poll(async () => ((await sdk().session.message({ sessionID, messageID: messages[0]!.info.id })).data as Reply).info.summary?.diffs, {
        timeout: 10_000,
      })
      .toEqual([{ file: "hello.txt", status: "added", additions: 1, deletions: 0, patch: expect.stringContaining("+hello world") }]);
    // As upstream: the session as a whole reports no change; a turn's diffs are on its user message.
    expect((await sdk().session.diff({ sessionID })).data).toEqual([]);
    const turnDiff = (await sdk().session.diff({ sessionID, messageID: messages[0]!.info.id })).data as { file: string }[];
    expect(turnDiff.map((d) => d.file)).toEqual(["hello.txt"]);

    const reverted = (await sdk().session.revert({ sessionID, messageID: messages[0]!.info.id })).data as Session;
    expect(existsSync(file)).toBe(false);
    expect(reverted.revert).toMatchObject({ messageID: messages[0]!.info.id, snapshot: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(reverted.revert!.diff).toContain("deleted file mode");
    // Soft: the messages are still there until the next prompt.
    expect(((await sdk().session.messages({ sessionID })).data as Reply[]).length).toBe(2);

    const unreverted = (await sdk().session.unrevert({ sessionID })).data as Session;
    expect(unreverted.revert).toBeUndefined();
    expect(readFileSync(file, "utf8")).toBe("hello world\n");
  });

  it("removes the reverted messages at the next prompt", async () => {
    const sessionID = await newSession();
    await turnThatWritesAFile(sessionID);
    const before = (await sdk().session.messages({ sessionID })).data as Reply[];
    await sdk().session.revert({ sessionID, messageID: before[0]!.info.id });
    const events = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
    await events.next();
    const res = await server.fetch(
      `/session/${sessionID}/message`,
      jsonInit("POST", { parts: [{ type: "text", text: "after revert hello" }] }),
    );
    expect(res.status).toBe(200);
    const removed = (events.frames as EventLike[])
      .filter((e) => e.type === "message.removed")
      .map((e) => (e.properties as { messageID: string }).messageID);
    expect(removed).toEqual(before.map((m) => m.info.id));
    events.close();
    const after = (await sdk().session.messages({ sessionID })).data as Reply[];
    expect(after.map((m) => m.info.role)).toEqual(["user", "assistant"]);
    expect(((await sdk().session.get({ sessionID })).data as Session).revert).toBeUndefined();
  });

  it("answers an unknown message with the unchanged session, and 409 while busy", async () => {
    const sessionID = await newSession();
    const unchanged = (await sdk().session.revert({ sessionID, messageID: "msg_doesnotexist000000000000" })).data as Session;
    expect(unchanged.revert).toBeUndefined();
    llm.setScript(() => ({ kind: "text", text: "one two three four five six seven eight", delayMs: 50 }));
    await server.fetch(`/session/${sessionID}/prompt_async`, jsonInit("POST", { parts: [{ type: "text", text: "be slow" }] }));
    await expect.poll(async () => ((await sdk().session.status()).data as Record<string, unknown>)[sessionID]).toEqual({ type: "busy" });
    const busy = await server.fetch(`/session/${sessionID}/revert`, jsonInit("POST", { messageID: "msg_doesnotexist000000000000" }));
    expect(busy.status).toBe(409);
    expect(await busy.json()).toEqual({ _tag: "SessionBusyError", sessionID, message: `Session is busy: ${sessionID}` });
    const shellBusy = await server.fetch(`/session/${sessionID}/shell`, jsonInit("POST", { agent: "build", command: "true" }));
    expect(shellBusy.status).toBe(409);
    await sdk().session.abort({ sessionID });
    llm.setScript(undefined);
  });
});
