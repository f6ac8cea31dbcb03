// Naming a project copy: the small model's words for the task as a slug, a random
// adjective-noun without a task description or when the model fails.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
