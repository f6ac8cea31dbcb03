// Workspaces (worktree-backed), warping a session into one and back, and moving a session
// between folders of its project with its uncommitted changes.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git, makeRepo } from "../support/git.js";
import { openEventReader } from "../support/sse.js";
import { jsonInit, startTestServer, type TestServer } from "../support/server.js";
import { makeTempDir } from "../support/temp.js";

type Workspace = {
  id: string;
  type: string;
  name: string;
  branch: string | null;
  directory: string | null;
  projectID: string;
  timeUsed: number;
};

let server: TestServer;
let repo: { dir: string; rootCommit: string };

function reference(name: string): unknown {
  return (JSON.parse(readFileSync(new URL(`../fixtures/reference/${name}.json`, import.meta.url), "utf8")) as { body: unknown }).body;
}

beforeAll(async () => {
  repo = makeRepo("workspace");
  server = await startTestServer({ projectDirectory: repo.dir });
});
afterAll(() => server.close());

describe("workspaces", () => {
  it("answers the TUI's start-up calls like upstream when there are none", async () => {
    expect(await (await server.fetch("/experimental/workspace")).json()).toEqual(reference("get_experimental_workspace"));
    expect(await (await server.fetch("/experimental/workspace/status")).json()).toEqual(reference("get_experimental_workspace_status"));
    expect(await (await server.fetch("/experimental/workspace/adapter")).json()).toEqual([
      { type: "worktree", name: "Worktree", description: "Create a git worktree" },
    ]);
    const synced = await server.fetch("/experimental/workspace/sync-list", { method: "POST" });
    expect(synced.status).toBe(204);
  });

  it("creates a worktree workspace, lists it with its status, and removes it with its worktree", async () => {
    const global = await openEventReader(`${server.url}/global/event`, "global");
    await global.next();
    const res = await server.fetch("/experimental/workspace", jsonInit("POST", { type: "worktree" }));
    expect(res.status).toBe(200);
    const workspace = (await res.json()) as Workspace;
    expect(workspace).toMatchObject({ id: expect.stringMatching(/^wrk_/), type: "worktree", projectID: repo.rootCommit, extra: null });
    expect(workspace.branch).toBe(`opencode/${workspace.name}`);
    expect(git(repo.dir, "worktree", "list", "--porcelain")).toContain(`worktree ${workspace.directory}`);

    const status = await global.next<{ directory: string; workspace?: string; payload: { type: string; properties: unknown } }>(
      (f) => f.payload.type === "workspace.status",
    );
    expect(status).toMatchObject({
      directory: "global",
      workspace: workspace.id,
      payload: { properties: { workspaceID: workspace.id, status: "connected" } },
    });
    global.close();
    expect(await (await server.fetch("/experimental/workspace")).json()).toEqual([workspace]);
    expect(await (await server.fetch("/experimental/workspace/status")).json()).toEqual([
      { workspaceID: workspace.id, status: "connected" },
    ]);
    // Another project does not see it.
    expect(await (await server.fetch(`/experimental/workspace?directory=${encodeURIComponent(makeTempDir("elsewhere"))}`)).json()).toEqual(
      [],
    );

    const removed = await server.fetch(`/experimental/workspace/${workspace.id}`, { method: "DELETE" });
    expect(await removed.json()).toEqual(workspace);
    expect(git(repo.dir, "worktree", "list", "--porcelain")).not.toContain(workspace.directory!);
    expect(await (await server.fetch("/experimental/workspace")).json()).toEqual([]);
  });

  it("removes the sessions that belong to a removed workspace, and only those", async () => {
    const workspace = (await (await server.fetch("/experimental/workspace", jsonInit("POST", { type: "worktree" }))).json()) as Workspace;
    const inside = (await (await server.fetch("/session", jsonInit("POST", {}))).json()) as { id: string };
    const outside = (await (await server.fetch("/session", jsonInit("POST", {}))).json()) as { id: string };
    await server.fetch(`/sync/steal?workspace=${workspace.id}`, jsonInit("POST", { sessionID: inside.id }));
    await server.fetch(`/experimental/workspace/${workspace.id}`, { method: "DELETE" });
    expect((await server.fetch(`/session/${inside.id}`)).status).toBe(404);
    expect((await server.fetch(`/session/${outside.id}`)).status).toBe(200);
  });

  it("refuses an adapter it does not have, and an unknown workspace", async () => {
    const res = await server.fetch("/experimental/workspace", jsonInit("POST", { type: "cloud" }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ name: "WorkspaceCreateError", data: { message: "Unknown workspace adapter: cloud" } });
    expect(await (await server.fetch("/experimental/workspace")).json()).toEqual([]);
    const missing = await server.fetch("/experimental/workspace/wrk_missing", { method: "DELETE" });
    expect(missing.status).toBe(404);
  });

  it("warps a session into a workspace with its changes, and back to the project's checkout", async () => {
    const workspace = (await (await server.fetch("/experimental/workspace", jsonInit("POST", { type: "worktree" }))).json()) as Workspace;
    await expect.poll(() => existsSync(path.join(workspace.directory!, "README.md"))).toBe(true);
    const session = (await (await server.fetch("/session", jsonInit("POST", {}))).json()) as { id: string };
    writeFileSync(path.join(repo.dir, "README.md"), "# edited in the main checkout\n");
    writeFileSync(path.join(repo.dir, "new.txt"), "new file\n");

    const warp = await server.fetch(
      "/experimental/workspace/warp",
      jsonInit("POST", { id: workspace.id, sessionID: session.id, copyChanges: true }),
    );
    expect(warp.status).toBe(204);
    const moved = (await (await server.fetch(`/session/${session.id}`)).json()) as { directory: string; workspaceID?: string };
    expect(moved).toMatchObject({ directory: workspace.directory, workspaceID: workspace.id });
    expect(readFileSync(path.join(workspace.directory!, "README.md"), "utf8")).toBe("# edited in the main checkout\n");
    expect(readFileSync(path.join(workspace.directory!, "new.txt"), "utf8")).toBe("new file\n");
    // The changes moved: the main checkout is clean again.
    expect(git(repo.dir, "status", "--porcelain")).toBe("");

    const back = await server.fetch("/experimental/workspace/warp", jsonInit("POST", { id: null, sessionID: session.id }));
    expect(back.status).toBe(204);
    const home = (await (await server.fetch(`/session/${session.id}`)).json()) as { directory: string; workspaceID?: string };
    expect(home.directory).toBe(repo.dir);
    expect(home.workspaceID).toBeUndefined();

    const unknown = await server.fetch("/experimental/workspace/warp", jsonInit("POST", { id: "wrk_missing", sessionID: session.id }));
    expect(unknown.status).toBe(404);
  });
});

describe("experimental.controlPlane.moveSession", () => {
  it("moves a session to a subfolder of its project", async () => {
    const session = (await (await server.fetch("/session", jsonInit("POST", {}))).json()) as { id: string };
    const sub = path.join(repo.dir, "src");
    mkdirSync(sub, { recursive: true });
    const res = await server.fetch(
      "/experimental/control-plane/move-session",
      jsonInit("POST", { sessionID: session.id, destination: { directory: sub } }),
    );
    expect(res.status).toBe(204);
    expect(await (await server.fetch(`/session/${session.id}`)).json()).toMatchObject({ directory: sub, path: "src" });
  });

  it("refuses a folder of another project and an unknown session with MoveSessionError", async () => {
    const session = (await (await server.fetch("/session", jsonInit("POST", {}))).json()) as { id: string };
    const other = makeRepo("other").dir;
    const res = await server.fetch(
      "/experimental/control-plane/move-session",
      jsonInit("POST", { sessionID: session.id, destination: { directory: other } }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ name: "MoveSessionError", data: { message: "Destination directory belongs to another project" } });
    expect(await (await server.fetch(`/session/${session.id}`)).json()).toMatchObject({ directory: repo.dir });

    const missing = await server.fetch(
      "/experimental/control-plane/move-session",
      jsonInit("POST", { sessionID: "ses_missing", destination: { directory: other } }),
    );
    expect(await missing.json()).toEqual({ name: "MoveSessionError", data: { message: "Session not found: ses_missing" } });
  });
});
