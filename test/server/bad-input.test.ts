// Invalid requests a fuzzer sent: each gets a 4xx the spec declares for its operation (or the
// 200 upstream answers), quickly, and changes nothing on disk or in the store.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadServedSpec } from "../../src/contract/served-spec.js";
import { searchText } from "../../src/files/text-search.js";
import { git, makeRepo } from "../support/git.js";
import { jsonInit, startTestServer, type TestServer } from "../support/server.js";
import { makeTempDir } from "../support/temp.js";

let server: TestServer;
let repo: { dir: string; rootCommit: string };

beforeAll(async () => {
  repo = makeRepo("bad-input");
  server = await startTestServer({ projectDirectory: repo.dir });
});
afterAll(() => server.close());

const MISSING_DIR = "/nonexistent/agentpool-bad-input";

/** The statuses the served spec declares for an operation. */
function declaredStatuses(operationId: string): string[] {
  for (const item of Object.values(loadServedSpec().paths))
    for (const op of Object.values(item) as { operationId?: string; responses?: Record<string, unknown> }[])
      if (op.operationId === operationId) return Object.keys(op.responses ?? {});
  throw new Error(`no operation ${operationId}`);
}

/** Sends a request and checks that its status is one the spec declares for the operation. */
async function send(operationId: string, url: string, init?: RequestInit): Promise<{ status: number; body: any; ms: number }> {
  const started = Date.now();
  const res = await server.fetch(url, init);
  const text = await res.text();
  const result = { status: res.status, body: text ? JSON.parse(text) : undefined, ms: Date.now() - started };
  expect(declaredStatuses(operationId), `${operationId} answered ${result.status}: ${text.slice(0, 300)}`).toContain(String(result.status));
  return result;
}

const badRequestBody = (kind: string) => ({ name: "BadRequest", data: { message: expect.any(String), kind } });

async function newSession(): Promise<string> {
  const res = await server.fetch("/session", jsonInit("POST", {}));
  return ((await res.json()) as { id: string }).id;
}

describe("1. worktree.remove removes only worktrees this server made", () => {
  const refused = { name: "WorktreeRemoveFailedError", data: { message: expect.any(String) } };

  it("refuses a 1 MB directory", async () => {
    const { status, body } = await send(
      "worktree.remove",
      "/experimental/worktree",
      jsonInit("DELETE", { directory: "a".repeat(1 << 20) }),
    );
    expect(status).toBe(400);
    expect(body).toEqual(refused);
  });

  it("refuses a plain folder, the primary checkout, a relative path and a git worktree it did not make, deleting nothing", async () => {
    const plain = makeTempDir("plain");
    writeFileSync(path.join(plain, "keep.txt"), "keep");
    const foreign = path.join(makeTempDir("foreign"), "wt");
    git(repo.dir, "worktree", "add", "-q", "--detach", foreign);
    // A foreign folder placed where this server keeps its own worktrees, but never recorded.
    const unrecorded = path.join(server.services.config.dataDirectory, "worktree", repo.rootCommit, "unrecorded");
    mkdirSync(unrecorded, { recursive: true });
    for (const directory of [plain, repo.dir, foreign, unrecorded, ".", "README.md", "../", `${plain}/../${path.basename(plain)}`]) {
      const { status, body } = await send("worktree.remove", "/experimental/worktree", jsonInit("DELETE", { directory }));
      expect(status, directory).toBe(400);
      expect(body).toEqual(refused);
    }
    expect(existsSync(path.join(plain, "keep.txt"))).toBe(true);
    expect(existsSync(path.join(repo.dir, "README.md"))).toBe(true);
    expect(existsSync(path.join(foreign, "README.md"))).toBe(true);
    expect(existsSync(unrecorded)).toBe(true);
    expect(git(repo.dir, "worktree", "list", "--porcelain")).toContain(`worktree ${foreign}`);
  });

  it("still removes a worktree it created", async () => {
    const created = await server.fetch("/experimental/worktree", jsonInit("POST", { name: "mine" }));
    const info = (await created.json()) as { directory: string };
    const { status, body } = await send("worktree.remove", "/experimental/worktree", jsonInit("DELETE", { directory: info.directory }));
    expect([status, body]).toEqual([200, true]);
    expect(existsSync(info.directory)).toBe(false);
  });
});

describe("2. find.text is bounded in time and output", () => {
  it("searches / and answers at most 10 matches, quickly", async () => {
    const { status, body, ms } = await send("find.text", "/find?pattern=e&directory=/");
    expect(status).toBe(200);
    expect(Array.isArray(body)).toBe(true);
    expect(body.length).toBeLessThanOrEqual(10);
    expect(ms).toBeLessThan(5000);
  });

  it("lists files under / for find.files within a few seconds", async () => {
    const { status, body, ms } = await send("find.files", "/find/file?query=e&directory=/");
    expect(status).toBe(200);
    expect(body.length).toBeLessThanOrEqual(100);
    expect(ms).toBeLessThan(8000);
  });

  it("stops a search at its time limit with what it found so far", async () => {
    for (const engine of ["ripgrep", "builtin"] as const) {
      const started = Date.now();
      const found = await searchText("e", "/usr", { engine, limit: 1_000_000, timeoutMs: 200 });
      expect(Date.now() - started, engine).toBeLessThan(3000);
      expect(Array.isArray(found)).toBe(true);
    }
  });

  it("stops a search at its match limit", async () => {
    const dir = makeTempDir("search");
    for (let i = 0; i < 5; i++) writeFileSync(path.join(dir, `f${i}.txt`), "e\ne\ne\n");
    for (const engine of ["ripgrep", "builtin"] as const) {
      expect((await searchText("e", dir, { engine })).length, engine).toBe(15);
      expect((await searchText("e", dir, { engine, limit: 4 })).length, engine).toBe(4);
    }
  });
});

describe("3. project.initGit", () => {
  it("answers 400 for a directory that does not exist, and creates nothing", async () => {
    const { status, body } = await send("project.initGit", `/project/git/init?directory=${encodeURIComponent(MISSING_DIR)}`, {
      method: "POST",
    });
    expect(status).toBe(400);
    expect(body).toEqual(badRequestBody("Query"));
    expect(existsSync(MISSING_DIR)).toBe(false);
  });
});

describe("4. session.list", () => {
  it("answers 400 for a limit SQLite cannot take", async () => {
    for (const limit of ["99999999999999999999999999", "1.5", "-1"]) {
      const { status, body } = await send("session.list", `/session?limit=${limit}`);
      expect(status, limit).toBe(400);
      expect(body).toEqual(badRequestBody("Query"));
    }
    expect((await send("session.list", "/session?limit=2")).status).toBe(200);
  });
});

describe("5. session.shell", () => {
  it("answers 400 for a command too long to run, and records nothing", async () => {
    const id = await newSession();
    const { status, body } = await send(
      "session.shell",
      `/session/${id}/shell`,
      jsonInit("POST", { agent: "build", command: `echo ${"x".repeat(1 << 20)}` }),
    );
    expect(status).toBe(400);
    expect(body).toEqual({ _tag: "InvalidRequestError", message: expect.any(String), kind: "Payload", field: "command" });
    expect(await (await server.fetch(`/session/${id}/message`)).json()).toEqual([]);
    expect(await (await server.fetch("/session/status")).json()).toEqual({});
  });
});

describe("6. v2.session.message", () => {
  it("answers a missing message with MessageNotFoundError naming the session", async () => {
    const id = await newSession();
    const { status, body } = await send("v2.session.message", `/api/session/${id}/message/msg_missing`);
    expect(status).toBe(404);
    expect(body).toEqual({
      _tag: "MessageNotFoundError",
      sessionID: id,
      messageID: "msg_missing",
      message: "Message not found: msg_missing",
    });
  });
});

describe("7. session.init", () => {
  it("answers at once when ?directory= does not exist, and records nothing", async () => {
    const id = await newSession();
    const { status, body, ms } = await send(
      "session.init",
      `/session/${id}/init?directory=${encodeURIComponent(MISSING_DIR)}`,
      jsonInit("POST", { modelID: "m", providerID: "p", messageID: "msg_init" }),
    );
    expect(status).toBe(400);
    expect(body).toEqual({ _tag: "InvalidRequestError", message: expect.any(String), kind: "Query", field: "directory" });
    expect(ms).toBeLessThan(1000);
    expect(await (await server.fetch(`/session/${id}/message`)).json()).toEqual([]);
    expect(existsSync(MISSING_DIR)).toBe(false);
  });
});

describe("8. file.list", () => {
  it("answers 400 for a path that does not exist", async () => {
    const { status, body } = await send("file.list", "/file?path=missing");
    expect(status).toBe(400);
    expect(body).toEqual(badRequestBody("Query"));
  });
});

describe("9. session.unshare", () => {
  it("answers 200 with the session, as upstream does", async () => {
    const id = await newSession();
    const { status, body } = await send("session.unshare", `/session/${id}/share`, { method: "DELETE" });
    expect(status).toBe(200);
    expect(body).toMatchObject({ id, directory: repo.dir });
    expect(body.share).toBeUndefined();
  });

  it("still answers 404 for an unknown session", async () => {
    const { status } = await send("session.unshare", "/session/ses_missing/share", { method: "DELETE" });
    expect(status).toBe(404);
  });
});

describe("names of things that do not exist", () => {
  it("answer upstream's tagged 404 for a project, a permission, a question and an MCP server", async () => {
    const cases: [string, RequestInit, Record<string, unknown>][] = [
      [
        "/project/nope",
        jsonInit("PATCH", { name: "x" }),
        { _tag: "ProjectNotFoundError", projectID: "nope", message: "Project not found: nope" },
      ],
      ["/permission/per_nope/reply", jsonInit("POST", { reply: "once" }), { _tag: "PermissionNotFoundError", requestID: "per_nope" }],
      ["/question/que_nope/reject", jsonInit("POST", {}), { _tag: "QuestionNotFoundError", requestID: "que_nope" }],
      ["/mcp/nope/connect", jsonInit("POST", {}), { _tag: "McpServerNotFoundError", name: "nope", message: "MCP server not found: nope" }],
    ];
    for (const [route, init, body] of cases) {
      const res = await server.fetch(route, init);
      expect([route, res.status]).toEqual([route, 404]);
      expect(await res.json()).toMatchObject(body);
    }
  });
});
