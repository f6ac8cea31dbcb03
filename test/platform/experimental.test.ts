// The experimental routes: capabilities and console as upstream answers them without a Console
// account, the tool catalogue with real parameter schemas, the cross-project session list, and
// git worktrees made, listed, reset and removed for real.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git, makeRepo } from "../support/git.js";
import { openEventReader } from "../support/sse.js";
import { jsonInit, startTestServer, type TestServer } from "../support/server.js";
import { makeTempDir } from "../support/temp.js";

let server: TestServer;
let repo: { dir: string; rootCommit: string };

function reference(name: string): { body: unknown } {
  return JSON.parse(readFileSync(new URL(`../fixtures/reference/${name}.json`, import.meta.url), "utf8")) as { body: unknown };
}

beforeAll(async () => {
  repo = makeRepo("experimental");
  server = await startTestServer({ projectDirectory: repo.dir });
});
afterAll(() => server.close());

describe("capabilities and console", () => {
  it("answer what upstream answers without background sub-agents and without a Console login", async () => {
    expect(await (await server.fetch("/experimental/capabilities")).json()).toEqual(reference("get_experimental_capabilities").body);
    expect(await (await server.fetch("/experimental/console")).json()).toEqual(reference("get_experimental_console").body);
    expect(await (await server.fetch("/experimental/console/orgs")).json()).toEqual({ orgs: [] });
  });

  it("refuses to switch the Console org with a 400 that says why", async () => {
    const res = await server.fetch("/experimental/console/switch", jsonInit("POST", { accountID: "acc", orgID: "org_1" }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ name: "BadRequest", data: { message: expect.stringMatching(/No OpenCode Console account/) } });
  });
});

describe("tool catalogue", () => {
  it("lists the tool ids, sharing upstream's core tools", async () => {
    const ids = (await (await server.fetch("/experimental/tool/ids")).json()) as string[];
    const upstream = reference("get_experimental_tool_ids").body as string[];
    for (const id of ["invalid", "question", "bash", "read", "glob", "grep", "edit", "write", "task", "webfetch", "todowrite"]) {
      expect(ids).toContain(id);
      expect(upstream).toContain(id);
    }
  });

  it("describes the default agent's tools for a model with their JSON Schema parameters", async () => {
    const tools = (await (await server.fetch("/experimental/tool?provider=fake&model=fake-model")).json()) as {
      id: string;
      description: string;
      parameters: { $schema: string; type: string; properties: Record<string, unknown>; required?: string[] };
    }[];
    const byId = new Map(tools.map((t) => [t.id, t]));
    const upstream = new Map(
      (reference("get_experimental_tool_provider_fake_model_fake-model").body as { id: string; parameters: { required?: string[] } }[]).map(
        (t) => [t.id, t],
      ),
    );
    for (const id of ["bash", "read", "write", "edit", "glob", "grep"]) {
      const tool = byId.get(id)!;
      expect(tool.description.length).toBeGreaterThan(10);
      expect(tool.parameters.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
      expect(tool.parameters.type).toBe("object");
      // Every argument upstream requires is one the model can give here too.
      for (const key of upstream.get(id)!.parameters.required ?? []) expect(Object.keys(tool.parameters.properties), id).toContain(key);
    }
    expect(byId.get("bash")!.parameters.properties).toHaveProperty("command");
    expect(byId.get("read")!.parameters.properties).toHaveProperty("filePath");
  });

  it("leaves out tools the default agent turns off", async () => {
    const dir = makeTempDir("no-bash");
    writeFileSync(path.join(dir, "opencode.json"), JSON.stringify({ agent: { build: { tools: { bash: false } } } }));
    const tools = (await (await server.fetch(`/experimental/tool?provider=p&model=m&directory=${encodeURIComponent(dir)}`)).json()) as {
      id: string;
    }[];
    expect(tools.map((t) => t.id)).not.toContain("bash");
    expect(tools.map((t) => t.id)).toContain("read");
  });
});

describe("experimental.session.list", () => {
  it("lists sessions of every project, newest first, with their project, and pages with x-next-cursor", async () => {
    expect(await (await server.fetch(`/experimental/session?directory=${encodeURIComponent(makeTempDir("empty"))}`)).json()).toEqual(
      reference("get_experimental_session").body,
    );
    const other = makeTempDir("other-project");
    const first = (await (await server.fetch("/session", jsonInit("POST", { title: "in repo" }))).json()) as { id: string };
    const second = (await (
      await server.fetch(`/session?directory=${encodeURIComponent(other)}`, jsonInit("POST", { title: "elsewhere" }))
    ).json()) as {
      id: string;
    };
    const res = await server.fetch("/experimental/session");
    const all = (await res.json()) as { id: string; project: { id: string; worktree: string } | null }[];
    const ids = all.map((s) => s.id);
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));
    expect(all.find((s) => s.id === first.id)!.project).toMatchObject({ id: repo.rootCommit, worktree: repo.dir });
    expect(all.find((s) => s.id === second.id)!.project).toMatchObject({ id: "global" });

    const page = await server.fetch("/experimental/session?limit=1");
    const cursor = page.headers.get("x-next-cursor");
    expect(((await page.json()) as { id: string }[]).map((s) => s.id)).toEqual([second.id]);
    expect(cursor).toBeTruthy();
    const rest = (await (await server.fetch(`/experimental/session?cursor=${cursor}`)).json()) as { id: string }[];
    expect(rest.map((s) => s.id)).toContain(first.id);
    expect(rest.map((s) => s.id)).not.toContain(second.id);
  });

  it("leaves archived sessions out unless asked for", async () => {
    const session = (await (await server.fetch("/session", jsonInit("POST", { title: "old" }))).json()) as { id: string };
    await server.fetch(`/session/${session.id}`, jsonInit("PATCH", { time: { archived: Date.now() } }));
    const listed = (await (await server.fetch("/experimental/session")).json()) as { id: string }[];
    expect(listed.map((s) => s.id)).not.toContain(session.id);
    const withArchived = (await (await server.fetch("/experimental/session?archived=true")).json()) as { id: string }[];
    expect(withArchived.map((s) => s.id)).toContain(session.id);
  });

  it("answers false for background: sub-agents do not run in the background here", async () => {
    const session = (await (await server.fetch("/session", jsonInit("POST", {}))).json()) as { id: string };
    expect(await (await server.fetch(`/experimental/session/${session.id}/background`, { method: "POST" })).json()).toBe(false);
  });
});

describe("worktrees", () => {
  it("starts with none, like upstream", async () => {
    expect(await (await server.fetch("/experimental/worktree")).json()).toEqual(reference("get_experimental_worktree").body);
  });

  it("creates a git worktree, announces it ready, resets it and removes it with its branch", async () => {
    const global = await openEventReader(`${server.url}/global/event`, "global");
    await global.next();
    const res = await server.fetch("/experimental/worktree", jsonInit("POST", { name: "My Feature", startCommand: "touch started.txt" }));
    expect(res.status).toBe(200);
    const info = (await res.json()) as { name: string; branch: string; directory: string };
    expect(info).toMatchObject({ name: "my-feature", branch: "opencode/my-feature" });
    expect(info.directory.startsWith(path.join(server.services.config.dataDirectory, "worktree", repo.rootCommit))).toBe(true);

    const ready = await global.next<{ directory: string; payload: { type: string; properties: unknown } }>(
      (f) => f.payload.type === "worktree.ready",
    );
    expect(ready.directory).toBe(info.directory);
    expect(ready.payload.properties).toEqual({ name: "my-feature", branch: "opencode/my-feature" });
    global.close();

    expect(git(repo.dir, "worktree", "list", "--porcelain")).toContain(`worktree ${info.directory}`);
    expect(readFileSync(path.join(info.directory, "README.md"), "utf8")).toBe("# experimental\n");
    expect(await (await server.fetch("/experimental/worktree")).json()).toEqual([info.directory]);
    expect(
      ((await (await server.fetch(`/project/${repo.rootCommit}/directories`)).json()) as { directory: string }[]).map((d) => d.directory),
    ).toContain(info.directory);
    await expect.poll(() => existsSync(path.join(info.directory, "started.txt"))).toBe(true);

    // Work in the worktree, then reset it to the default branch: commits and stray files go.
    writeFileSync(path.join(info.directory, "README.md"), "changed\n");
    git(info.directory, "commit", "-qam", "change");
    writeFileSync(path.join(info.directory, "stray.txt"), "x");
    const reset = await server.fetch("/experimental/worktree/reset", jsonInit("POST", { directory: info.directory }));
    expect(await reset.json()).toBe(true);
    expect(readFileSync(path.join(info.directory, "README.md"), "utf8")).toBe("# experimental\n");
    expect(existsSync(path.join(info.directory, "stray.txt"))).toBe(false);

    const removed = await server.fetch("/experimental/worktree", jsonInit("DELETE", { directory: info.directory }));
    expect(await removed.json()).toBe(true);
    expect(git(repo.dir, "worktree", "list", "--porcelain")).not.toContain(info.directory);
    expect(git(repo.dir, "branch", "--list", "opencode/my-feature")).toBe("");
    expect(existsSync(info.directory)).toBe(false);
    expect(await (await server.fetch("/experimental/worktree")).json()).toEqual([]);
  });

  it("refuses to reset the primary worktree or an unknown one", async () => {
    const primary = await server.fetch("/experimental/worktree/reset", jsonInit("POST", { directory: repo.dir }));
    expect(primary.status).toBe(400);
    expect(await primary.json()).toEqual({ name: "WorktreeResetFailedError", data: { message: "Cannot reset the primary workspace" } });
    const unknown = await server.fetch("/experimental/worktree/reset", jsonInit("POST", { directory: makeTempDir("nowhere") }));
    expect(await unknown.json()).toEqual({ name: "WorktreeResetFailedError", data: { message: "Worktree not found" } });
  });

  it("answers WorktreeNotGitError outside a git repository", async () => {
    const plain = makeTempDir("plain");
    const res = await server.fetch(`/experimental/worktree?directory=${encodeURIComponent(plain)}`, jsonInit("POST", {}));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ name: "WorktreeNotGitError", data: { message: "Worktrees are only supported for git projects" } });
  });
});
