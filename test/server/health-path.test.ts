// global.health and path.get, and how a request picks its directory.
import { mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { makeTempDir } from "../support/temp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
let repo: string;
let other: string;

beforeAll(async () => {
  const root = makeTempDir("dirs");
  repo = path.join(root, "repo");
  other = path.join(root, "other repo");
  mkdirSync(path.join(repo, ".git"), { recursive: true });
  mkdirSync(path.join(repo, "sub"), { recursive: true });
  mkdirSync(path.join(other, ".git"), { recursive: true });
  server = await startTestServer({ projectDirectory: repo });
});
afterAll(() => server.close());

async function pathOf(query = "", headers: Record<string, string> = {}) {
  const res = await server.fetch(`/path${query}`, { headers });
  expect(res.status).toBe(200);
  return (await res.json()) as { home: string; state: string; config: string; worktree: string; directory: string };
}

describe("global.health", () => {
  it("answers healthy with the upstream version it speaks", async () => {
    const res = await server.fetch("/global/health");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ healthy: true, version: "1.18.33" });
  });
});

describe("path.get and the request directory", () => {
  it("defaults to the served project", async () => {
    const body = await pathOf();
    expect(body.directory).toBe(repo);
    expect(body.worktree).toBe(repo);
    expect(body.home).toBe(os.homedir());
    expect(body.config).toMatch(/opencode$/);
    expect(body.state).toMatch(/agentpool$/);
  });

  it("takes ?directory=, the raw header and the URI-encoded header", async () => {
    expect((await pathOf(`?directory=${encodeURIComponent(other)}`)).directory).toBe(other);
    expect((await pathOf("", { "x-opencode-directory": encodeURIComponent(other) })).worktree).toBe(other);
    // A raw header value must be valid HTTP header text; this path has a space, which is.
    expect((await pathOf("", { "x-opencode-directory": other })).directory).toBe(other);
  });

  it("lets the query win over the header", async () => {
    const body = await pathOf(`?directory=${encodeURIComponent(repo)}`, { "x-opencode-directory": encodeURIComponent(other) });
    expect(body.directory).toBe(repo);
  });

  it("keeps the worktree of a sub-directory and resolves relative paths against the project", async () => {
    const sub = await pathOf(`?directory=${encodeURIComponent(path.join(repo, "sub"))}`);
    expect(sub).toMatchObject({ directory: path.join(repo, "sub"), worktree: repo });
    expect((await pathOf("?directory=sub")).directory).toBe(path.join(repo, "sub"));
  });

  it("answers worktree / for a directory outside any repository, as upstream", async () => {
    const missing = path.join(os.tmpdir(), "agentpool-does-not-exist");
    expect(await pathOf(`?directory=${encodeURIComponent(missing)}`)).toMatchObject({ directory: missing, worktree: "/" });
  });
});
