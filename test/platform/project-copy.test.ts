// Project copies: detached git worktrees made, removed (force needed for changes) and found again
// by refresh; and their names: the small model's words for the task as a slug, a random
// adjective-noun without a task description or when the model fails.
import { existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git } from "../support/git.js";
import { openEventReader } from "../support/sse.js";
import { makeTempDir } from "../support/temp.js";
import { startLlmProject, type LlmProject } from "../support/llm-project.js";
import { lastUserText } from "../support/scripted-llm.js";
import { jsonInit } from "../support/server.js";

let project: LlmProject;

beforeAll(async () => {
  project = await startLlmProject("copy-name");
});
afterAll(async () => {
  await project.server.close();
  await project.llm.stop();
});

const generate = async (body: unknown) =>
  (await (
    await project.server.fetch(`/experimental/project/${project.repo.rootCommit}/copy/generate-name`, jsonInit("POST", body))
  ).json()) as {
    name: string;
  };

describe("experimental.projectCopy.generateName", () => {
  it("asks the small model for a few words about the task and answers them as a slug", async () => {
    project.llm.setScript(() => ({ kind: "text", text: "Fix Login Bug quickly today" }));
    expect(await generate({ context: "The login form rejects valid passwords" })).toEqual({ name: "fix-login-bug" });
    expect(lastUserText(project.llm.requests.at(-1)!)).toContain("The login form rejects valid passwords");
  });

  it("answers a random adjective-noun without a task, and when the model fails", async () => {
    const before = project.llm.requests.length;
    expect((await generate({})).name).toMatch(/^[a-z]+-[a-z]+$/);
    expect(project.llm.requests.length).toBe(before);
    project.llm.setScript(() => ({ kind: "error", status: 400, message: "nope" }));
    expect((await generate({ context: "anything" })).name).toMatch(/^[a-z]+-[a-z]+$/);
  });
});

describe("v2.projectCopy create, remove, refresh", () => {
  const copyRoute = () => `/experimental/project/${project.repo.rootCommit}/copy`;
  const directories = async () =>
    ((await (await project.server.fetch(`/project/${project.repo.rootCommit}/directories`)).json()) as { directory: string }[]).map(
      (d) => d.directory,
    );

  it("creates a detached worktree of HEAD, records it and announces project.directories.updated", async () => {
    const events = await openEventReader(`${project.server.url}/event?directory=${encodeURIComponent(project.repo.dir)}`, "event");
    await events.next();
    const parent = makeTempDir("copies");
    const res = await project.server.fetch(
      copyRoute(),
      jsonInit("POST", { strategy: "git_worktree", directory: parent, name: "task-one" }),
    );
    expect(res.status).toBe(200);
    const copy = (await res.json()) as { directory: string };
    expect(copy.directory).toBe(path.join(parent, "task-one"));
    expect(git(project.repo.dir, "worktree", "list", "--porcelain")).toContain(`worktree ${copy.directory}`);
    expect(git(copy.directory, "rev-parse", "HEAD")).toBe(project.repo.rootCommit);
    expect(await directories()).toContain(copy.directory);
    expect(await events.next<{ type: string; properties: unknown }>((e) => e.type === "project.directories.updated")).toMatchObject({
      properties: { projectID: project.repo.rootCommit },
    });
    events.close();

    // A copy with changes needs force to go.
    writeFileSync(path.join(copy.directory, "README.md"), "changed\n");
    const refused = await project.server.fetch(copyRoute(), jsonInit("DELETE", { directory: copy.directory, force: false }));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ name: "ProjectCopyError", data: { forceRequired: true } });
    expect(existsSync(copy.directory)).toBe(true);
    const removed = await project.server.fetch(copyRoute(), jsonInit("DELETE", { directory: copy.directory, force: true }));
    expect(removed.status).toBe(204);
    expect(existsSync(copy.directory)).toBe(false);
    expect(await directories()).not.toContain(copy.directory);
  });

  it("refuses an unknown strategy, a missing name and another project's id without changing anything", async () => {
    const parent = makeTempDir("copies-bad");
    const unknown = await project.server.fetch(copyRoute(), jsonInit("POST", { strategy: "rsync", directory: parent, name: "x" }));
    expect(await unknown.json()).toEqual({ name: "ProjectCopyError", data: { message: "Unknown project copy strategy: rsync" } });
    const unnamed = await project.server.fetch(copyRoute(), jsonInit("POST", { strategy: "git_worktree", directory: parent }));
    expect(await unnamed.json()).toEqual({
      name: "ProjectCopyError",
      data: { message: "Project copy directory and name could not be resolved" },
    });
    const other = await project.server.fetch(
      "/experimental/project/not-this-one/copy",
      jsonInit("POST", { strategy: "git_worktree", directory: parent, name: "x" }),
    );
    expect(other.status).toBe(400);
    expect(existsSync(path.join(parent, "x"))).toBe(false);
  });

  it("refresh records worktrees made outside and forgets recorded ones whose folder is gone", async () => {
    const outside = path.join(makeTempDir("outside"), "by-hand");
    git(project.repo.dir, "worktree", "add", "--detach", outside, "HEAD");
    expect(await directories()).not.toContain(outside);
    expect((await project.server.fetch(`${copyRoute()}/refresh`, { method: "POST" })).status).toBe(204);
    expect(await directories()).toContain(outside);

    rmSync(outside, { recursive: true, force: true });
    git(project.repo.dir, "worktree", "prune");
    await project.server.fetch(`${copyRoute()}/refresh`, { method: "POST" });
    expect(await directories()).not.toContain(outside);
  });
});
