// The @opencode-ai/sdk/v2 client on the platform routes: TUI control, experimental (capabilities,
// console, tools, sessions), worktrees, workspaces, sync, project copies, git, dispose, the
// global routes and the v2 file/model routes. Each call checks what the server did.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventLike } from "../support/event-sequence.js";
import { git, makeRepo } from "../support/git.js";
import { startLlmProject } from "../support/llm-project.js";
import type { ScriptedLlm } from "../support/scripted-llm.js";
import { sdkV2 } from "../support/sdk.js";
import type { TestServer } from "../support/server.js";
import { openEventReader, type EventReader } from "../support/sse.js";

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string; rootCommit: string };
let client: ReturnType<typeof sdkV2>;

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("sdk-v2-platform"));
  client = sdkV2({ baseUrl: server.url, directory: repo.dir });
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

async function events(url = `/event?directory=${encodeURIComponent(repo.dir)}`, kind: "event" | "global" = "event"): Promise<EventReader> {
  const reader = await openEventReader(`${server.url}${url}`, kind);
  await reader.next();
  return reader;
}

describe("TUI control", () => {
  it("every tui call publishes its event and answers true", async () => {
    const reader = await events();
    const session = (await client.session.create({})).data!;
    const calls: [() => Promise<{ data?: unknown }>, string][] = [
      [() => client.tui.appendPrompt({ text: "typed" }), "tui.prompt.append"],
      [() => client.tui.submitPrompt(), "tui.command.execute"],
      [() => client.tui.clearPrompt(), "tui.command.execute"],
      [() => client.tui.openHelp(), "tui.command.execute"],
      [() => client.tui.openSessions(), "tui.command.execute"],
      [() => client.tui.openThemes(), "tui.command.execute"],
      [() => client.tui.openModels(), "tui.command.execute"],
      [() => client.tui.executeCommand({ command: "session_new" }), "tui.command.execute"],
      [() => client.tui.showToast({ message: "hello", variant: "success" }), "tui.toast.show"],
      [() => client.tui.selectSession({ sessionID: session.id }), "tui.session.select"],
      [
        () => client.tui.publish({ body: { type: "tui.toast.show", properties: { message: "via publish", variant: "info" } } }),
        "tui.toast.show",
      ],
    ];
    for (const [call, type] of calls) {
      expect((await call()).data).toBe(true);
      await reader.next<EventLike>((e) => e.type === type, 5_000);
    }
    reader.close();
  });

  it("tui.control.next and tui.control.response", async () => {
    const answer = server.services.tui.call("/tui/confirm", { question: "ok?" });
    expect((await client.tui.control.next()).data).toEqual({ path: "/tui/confirm", body: { question: "ok?" } });
    expect((await client.tui.control.response({ body: { confirmed: true } })).data).toBe(true);
    expect(await answer).toEqual({ confirmed: true });
  });
});

describe("experimental", () => {
  it("capabilities, console (logged out), orgs, switching org is refused", async () => {
    expect((await client.experimental.capabilities.get()).data).toBeTypeOf("object");
    expect((await client.experimental.console.get()).data).toBeTypeOf("object");
    expect((await client.experimental.console.listOrgs()).data).toBeTypeOf("object");
    expect((await client.experimental.console.switchOrg({ accountID: "a", orgID: "o" })).response.status).toBe(400);
  });

  it("tool.ids and tool.list", async () => {
    expect((await client.tool.ids()).data).toEqual(expect.arrayContaining(["bash", "read", "write", "edit", "todowrite"]));
    const tools = (await client.tool.list({ provider: "fake", model: "m" })).data!;
    expect(tools.find((t) => t.id === "read")!.parameters).toMatchObject({ properties: { filePath: { type: "string" } } });
  });

  it("experimental.session.list lists sessions across projects; background answers false", async () => {
    const session = (await client.session.create({ title: "listed" })).data!;
    const listed = (await client.experimental.session.list({ limit: 50 })).data!;
    expect(listed.map((s) => s.id)).toContain(session.id);
    expect((await client.experimental.session.background({ sessionID: session.id })).data).toBe(false);
  });
});

describe("worktrees, workspaces, project copies, sync", () => {
  it("worktree.create, list, reset, remove with real git worktrees", async () => {
    const created = (await client.worktree.create({ worktreeCreateInput: { name: "sdk tree" } })).data!;
    expect(existsSync(created.directory)).toBe(true);
    expect((await client.worktree.list()).data).toContain(created.directory);
    expect(git(repo.dir, "worktree", "list")).toContain(created.directory);
    expect((await client.worktree.reset({ worktreeResetInput: { directory: created.directory } })).data).toBe(true);
    expect((await client.worktree.remove({ worktreeRemoveInput: { directory: created.directory } })).data).toBe(true);
    expect(existsSync(created.directory)).toBe(false);
  });

  it("workspace list, adapters, create, status, sync-list, warp and back, remove", async () => {
    expect((await client.experimental.workspace.adapter.list()).data!.length).toBeGreaterThan(0);
    const workspace = (await client.experimental.workspace.create({ type: "worktree" })).data!;
    expect((await client.experimental.workspace.list()).data!.map((w) => w.id)).toContain(workspace.id);
    expect((await client.experimental.workspace.status()).data).toContainEqual(expect.objectContaining({ workspaceID: workspace.id }));
    expect((await client.experimental.workspace.syncList()).response.status).toBe(204);
    const session = (await client.session.create({})).data!;
    expect((await client.experimental.workspace.warp({ id: workspace.id, sessionID: session.id })).response.ok).toBe(true);
    expect((await client.experimental.workspace.warp({ id: null, sessionID: session.id })).response.ok).toBe(true);
    expect((await client.experimental.workspace.remove({ id: workspace.id })).response.ok).toBe(true);
    expect((await client.experimental.workspace.list()).data!.map((w) => w.id)).not.toContain(workspace.id);
  });

  it("controlPlane.moveSession refuses another project clearly", async () => {
    const session = (await client.session.create({})).data!;
    const other = makeRepo("elsewhere").dir;
    const moved = await client.experimental.controlPlane.moveSession({ sessionID: session.id, destination: { directory: other } as never });
    expect(moved.response.status).toBeGreaterThanOrEqual(400);
  });

  it("project copies: a name, create, refresh, remove", async () => {
    const projectID = repo.rootCommit;
    const named = (await client.experimental.projectCopy.generateName({ projectID, context: "fix the login bug" })).data!;
    expect(named).toBeTypeOf("object");
    const parent = makeRepo("copies").dir;
    const created = await client.v2.projectCopy.create({ projectID, strategy: "git_worktree", directory: parent, name: "sdk-copy" });
    const copy = created.data as unknown as { directory: string };
    expect(copy.directory).toBe(path.join(parent, "sdk-copy"));
    expect(git(repo.dir, "worktree", "list")).toContain(copy.directory);
    expect((await client.v2.projectCopy.refresh({ projectID })).response.ok).toBe(true);
    expect((await client.v2.projectCopy.remove({ projectID, directory: copy.directory, force: true })).response.ok).toBe(true);
    expect(existsSync(copy.directory)).toBe(false);
  });

  it("sync: start, history, replay, steal", async () => {
    const session = (await client.session.create({ title: "synced" })).data!;
    expect((await client.sync.start()).response.ok).toBe(true);
    const history = (await client.sync.history.list({ body: {} })).data!;
    expect(history.some((e) => e.aggregate_id === session.id)).toBe(true);
    const replay = await client.sync.replay({ body_directory: repo.dir, events: [] });
    expect(replay.response.status).toBeLessThan(500);
    const steal = await client.sync.steal({ sessionID: session.id });
    expect(steal.response.status).toBeLessThan(500);
  });
});

describe("git, log, status, dispose, global", () => {
  it("vcs.get, vcs.status, vcs.diff, vcs.diff.raw, vcs.apply, find.text", async () => {
    writeFileSync(path.join(repo.dir, "README.md"), "# sdk-v2-platform\nmore\n");
    expect((await client.vcs.get()).data).toEqual({ branch: "main", default_branch: "main" });
    expect((await client.vcs.status()).data).toContainEqual(expect.objectContaining({ file: "README.md", status: "modified" }));
    expect((await client.vcs.diff({ mode: "git" })).data!.find((d) => d.file === "README.md")!.patch).toContain("+more");
    const raw = await client.vcs.diff2.raw({ parseAs: "text" } as never);
    expect(String(raw.data)).toContain("+more");
    git(repo.dir, "checkout", "README.md");
    const patch = "--- a/README.md\n+++ b/README.md\n@@ -1 +1,2 @@\n # sdk-v2-platform\n+applied\n";
    expect((await client.vcs.apply({ patch })).data).toEqual({ applied: true });
    expect((await client.find.text({ pattern: "applied" })).data!.map((m) => m.path.text)).toEqual(["README.md"]);
    git(repo.dir, "checkout", "README.md");
  });

  it("app.log, lsp.status, formatter.status", async () => {
    expect((await client.app.log({ service: "sdk-v2", level: "warn", message: "from v2" })).data).toBe(true);
    expect(server.logLines().some((l) => l.msg === "from v2" && l.service === "sdk-v2")).toBe(true);
    expect((await client.lsp.status()).data).toEqual([]);
    expect(Array.isArray((await client.formatter.status()).data)).toBe(true);
  });

  it("project.initGit in a folder without git, permission.respond for an unknown request", async () => {
    const plain = makeRepo("tmp-unused").dir.replace(/tmp-unused[^/]*$/, "plain-init");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(plain, { recursive: true });
    const init = await sdkV2({ baseUrl: server.url, directory: plain }).project.initGit();
    expect(init.response.ok).toBe(true);
    expect(existsSync(path.join(plain, ".git"))).toBe(true);
    const session = (await client.session.create({})).data!;
    const respond = await client.permission.respond({ sessionID: session.id, permissionID: "per_missing", response: "once" });
    expect(respond.response.status).toBe(404);
  });

  it("provider OAuth is not offered: a clear error; v2 OAuth integration likewise", async () => {
    expect((await client.provider.oauth.authorize({ providerID: "openai", method: 0 })).response.status).toBe(400);
    expect((await client.provider.oauth.callback({ providerID: "openai", method: 0, code: "x" })).response.status).toBe(400);
  });

  it("session.share: no share backend, a clear 400; unshare answers the session", async () => {
    const session = (await client.session.create({})).data!;
    expect((await client.session.share({ sessionID: session.id })).response.status).toBe(400);
    expect((await client.session.unshare({ sessionID: session.id })).data!.id).toBe(session.id);
  });

  it("v2.model.list and v2.fs.read (the SDK cannot name a path: a clear 404)", async () => {
    const models = (await client.v2.model.list()).data as { data: { id: string; providerID: string }[] };
    expect(models.data).toContainEqual(expect.objectContaining({ id: "m", providerID: "fake" }));
    expect((await client.v2.fs.read()).response.status).toBe(404);
  });

  it("global.event (the SDK's SSE reader), instance.dispose, global.dispose, global.upgrade", async () => {
    const stream = await client.global.event();
    const first = await stream.stream.next();
    expect(first.value).toMatchObject({ payload: { type: "server.connected" } });
    const reader = await events("/global/event", "global");
    expect((await client.instance.dispose()).data).toBe(true);
    expect((await client.global.dispose()).data).toBe(true);
    await reader.next<{ payload: EventLike }>((e) => e.payload.type === "global.disposed", 10_000);
    reader.close();
    await stream.stream.return(undefined);
    expect((await client.global.upgrade({ target: "9.9.9" })).response.status).toBe(400);
  });
});
