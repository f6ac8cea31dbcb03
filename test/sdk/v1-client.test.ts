// The default client of @opencode-ai/sdk (the v1 generation, `path: {id}` style) against this
// server: a session's whole life, the event stream read with the SDK's own SSE reader, and the
// configuration, project and provider methods. ENDPOINTS.md lists which methods each test calls.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLlmProject } from "../support/llm-project.js";
import type { ScriptedLlm } from "../support/scripted-llm.js";
import { sdkV1 } from "../support/sdk.js";
import type { TestServer } from "../support/server.js";

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string };
let client: ReturnType<typeof sdkV1>;
const MODEL = { providerID: "fake", modelID: "m" };

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("sdk-v1"));
  client = sdkV1({ baseUrl: server.url, directory: repo.dir });
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

type Part = { type: string; text?: string; tool?: string; state?: { status: string; output?: string } };

describe("sessions through the v1 client", () => {
  let id: string;

  it("create, get, update, list", async () => {
    const created = (await client.session.create({ body: { title: "v1 session" } })).data!;
    id = created.id;
    expect(created).toMatchObject({ title: "v1 session", directory: repo.dir });
    expect((await client.session.get({ path: { id } })).data!.id).toBe(id);
    expect((await client.session.update({ path: { id }, body: { title: "renamed" } })).data!.title).toBe("renamed");
    expect((await client.session.list()).data!.map((s) => s.id)).toContain(id);
  });

  it("streams a prompt's events through the SDK's own SSE reader, and answers with the reply", async () => {
    const events = await client.event.subscribe();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const event of events.stream) {
        seen.push(event.type);
        if (event.type === "session.idle" && (event.properties as { sessionID: string }).sessionID === id) return;
      }
    })();
    const reply = (await client.session.prompt({ path: { id }, body: { model: MODEL, parts: [{ type: "text", text: "hi from v1" }] } }))
      .data!;
    expect(reply.info.role).toBe("assistant");
    expect(reply.parts.find((p) => p.type === "text")).toMatchObject({ text: "Hello from fake LLM. You said: hi from v1" });
    await reading;
    expect(seen[0]).toBe("server.connected");
    expect(seen).toEqual(expect.arrayContaining(["message.updated", "message.part.updated", "session.status", "session.idle"]));
  });

  it("messages, message, status, todo, diff, children", async () => {
    const messages = (await client.session.messages({ path: { id } })).data!;
    expect(messages.map((m) => m.info.role)).toEqual(["user", "assistant"]);
    const one = (await client.session.message({ path: { id, messageID: messages[1]!.info.id } })).data!;
    expect(one.parts.map((p) => p.type)).toContain("text");
    expect((await client.session.status()).data).toEqual({});
    expect((await client.session.todo({ path: { id } })).data).toEqual([]);
    expect((await client.session.diff({ path: { id } })).data).toEqual([]);
    expect((await client.session.children({ path: { id } })).data).toEqual([]);
  });

  it("promptAsync answers at once; the reply arrives in the messages", async () => {
    const res = await client.session.promptAsync({ path: { id }, body: { model: MODEL, parts: [{ type: "text", text: "async one" }] } });
    expect(res.response.status).toBe(204);
    await expect
      .poll(async () => (await client.session.messages({ path: { id } })).data!.flatMap((m) => m.parts as Part[]).map((p) => p.text))
      .toContain("Hello from fake LLM. You said: async one");
  });

  it("a tool call, its permission answered with the legacy route postSessionIdPermissionsPermissionId", async () => {
    const asking = (await client.session.create({ body: { permission: [{ permission: "bash", pattern: "*", action: "ask" }] } as never }))
      .data!;
    const events = await client.event.subscribe();
    const pending = client.session.prompt({ path: { id: asking.id }, body: { model: MODEL, parts: [{ type: "text", text: "use bash" }] } });
    let permissionID = "";
    for await (const event of events.stream) {
      if ((event.type as string) === "permission.asked") {
        permissionID = (event.properties as { id: string }).id;
        break;
      }
    }
    const answered = await client.postSessionIdPermissionsPermissionId({
      path: { id: asking.id, permissionID },
      body: { response: "once" },
    });
    expect(answered.data).toBe(true);
    const reply = (await pending).data!;
    expect(reply.info.role).toBe("assistant");
    const parts = (await client.session.messages({ path: { id: asking.id } })).data!.flatMap((m) => m.parts as Part[]);
    expect(parts.find((p) => p.tool === "bash")?.state).toMatchObject({ status: "completed" });
  });

  it("shell, command, init, summarize", async () => {
    // As for command: the v1 types say AssistantMessage, the server answers {info, parts} as upstream does.
    const shell = (await client.session.shell({ path: { id }, body: { agent: "build", model: MODEL, command: "echo from-v1-shell" } }))
      .data as unknown as { info: { role: string } };
    expect(shell.info.role).toBe("assistant");
    const out = (await client.session.messages({ path: { id } })).data!.flatMap((m) => m.parts as Part[]).find((p) => p.tool === "bash");
    expect(out?.state?.output).toContain("from-v1-shell");
    // The v1 types say AssistantMessage; the server answers {info, parts} as upstream 1.18.33 does.
    const command = (await client.session.command({ path: { id }, body: { command: "review", arguments: "", model: "fake/m" } }))
      .data as unknown as {
      info: { role: string };
    };
    expect(command.info.role).toBe("assistant");
    expect((await client.session.init({ path: { id }, body: { ...MODEL, messageID: "msg_00000000000000000000000001" } })).data).toBe(true);
    expect((await client.session.summarize({ path: { id }, body: MODEL })).data).toBe(true);
    const parts = (await client.session.messages({ path: { id } })).data!.flatMap((m) => m.parts as Part[]);
    expect(parts.some((p) => p.type === "compaction")).toBe(true);
  });

  it("revert and unrevert a file change", async () => {
    const writer = (await client.session.create({ body: {} })).data!;
    await client.session.prompt({ path: { id: writer.id }, body: { model: MODEL, parts: [{ type: "text", text: "write file" }] } });
    const [user] = (await client.session.messages({ path: { id: writer.id } })).data!;
    const reverted = (await client.session.revert({ path: { id: writer.id }, body: { messageID: user!.info.id } })).data!;
    expect(reverted.revert?.messageID).toBe(user!.info.id);
    expect((await client.session.unrevert({ path: { id: writer.id } })).data!.revert).toBeUndefined();
  });

  it("fork, abort, share (a clear error: no share backend), unshare (the session), delete", async () => {
    const fork = (await client.session.fork({ path: { id }, body: {} })).data!;
    expect(fork.id).not.toBe(id);
    expect((await client.session.abort({ path: { id } })).data).toBe(true);
    const share = await client.session.share({ path: { id } });
    expect(share.response.status).toBe(400);
    const unshare = await client.session.unshare({ path: { id } });
    expect(unshare.response.status).toBe(200);
    expect(unshare.data!.id).toBe(id);
    expect((await client.session.delete({ path: { id: fork.id } })).data).toBe(true);
    expect((await client.session.get({ path: { id: fork.id } })).response.status).toBe(404);
  });
});

describe("configuration, projects, providers through the v1 client", () => {
  it("config.get, config.update, config.providers", async () => {
    expect((await client.config.get()).data!.model).toBe("fake/m");
    const updated = (await client.config.update({ body: { username: "v1-user" } })).data!;
    expect(updated.username).toBe("v1-user");
    const providers = (await client.config.providers()).data!;
    // The configured provider, and OpenCode Zen's free models, connected without a key as upstream.
    expect(providers.default).toEqual({ opencode: "big-pickle", fake: "m" });
  });

  it("project.current, project.list, path.get", async () => {
    const current = (await client.project.current()).data!;
    expect(current.worktree).toBe(repo.dir);
    expect((await client.project.list()).data!.map((p) => p.id)).toContain(current.id);
    expect((await client.path.get()).data!.directory).toBe(repo.dir);
  });

  it("app.agents, command.list", async () => {
    expect((await client.app.agents()).data!.map((a) => a.name)).toEqual(expect.arrayContaining(["build", "plan", "general"]));
    writeFileSync(path.join(repo.dir, "dummy.txt"), "x");
    expect((await client.command.list()).data!.map((c) => c.name)).toEqual(expect.arrayContaining(["init", "review"]));
  });

  it("provider.list, provider.auth, the OAuth routes answer a clear error", async () => {
    expect((await client.provider.list()).data!.connected).toContain("fake");
    expect((await client.provider.auth()).data).toBeTypeOf("object");
    const authorize = await client.provider.oauth.authorize({ path: { id: "fake" }, body: { method: 0 } });
    expect(authorize.response.status).toBe(400);
    const callback = await client.provider.oauth.callback({ path: { id: "fake" }, body: { method: 0, code: "x" } });
    expect(callback.response.status).toBe(400);
  });

  it("auth.set stores a key that makes a provider connected", async () => {
    expect((await client.auth.set({ path: { id: "openai" }, body: { type: "api", key: "sk-v1" } })).data).toBe(true);
    expect((await client.provider.list()).data!.connected).toContain("openai");
  });

  it("global.event streams wrapped events through the SDK's SSE reader", async () => {
    const events = await client.global.event();
    const first = await events.stream.next();
    expect(first.value).toMatchObject({ payload: { type: "server.connected" } });
    await events.stream.return(undefined);
  });
});
