// The setup most prompt tests share: a scripted LLM, a git repository whose opencode.json points
// a provider at it, and the server serving that repository.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { makeRepo } from "./git.js";
import { startScriptedLlm, type ScriptedLlm } from "./scripted-llm.js";
import { startTestServer, type TestServer, type TestServerOptions } from "./server.js";

/** An OpenAI-compatible provider entry for a scripted LLM. */
export function fakeProvider(baseURL: string, models: string[] = ["m"]) {
  return { npm: "@ai-sdk/openai-compatible", options: { baseURL, apiKey: "k" }, models: Object.fromEntries(models.map((m) => [m, {}])) };
}

export interface LlmProject {
  llm: ScriptedLlm;
  repo: { dir: string; rootCommit: string };
  server: TestServer;
}

/** A git repository whose opencode.json points the `fake` provider (model fake/m) at a scripted LLM; `config` is merged in. */
export function makeLlmRepo(
  name: string,
  llmUrl: string,
  config: Record<string, unknown> = {},
  models?: string[],
): { dir: string; rootCommit: string } {
  const repo = makeRepo(name);
  writeFileSync(
    path.join(repo.dir, "opencode.json"),
    JSON.stringify({ model: "fake/m", provider: { fake: fakeProvider(llmUrl, models) }, ...config }),
  );
  return repo;
}

export async function startLlmProject(
  name: string,
  options: { config?: Record<string, unknown>; models?: string[]; server?: Omit<TestServerOptions, "projectDirectory"> } = {},
): Promise<LlmProject> {
  const llm = await startScriptedLlm();
  const repo = makeLlmRepo(name, llm.url, options.config, options.models);
  const server = await startTestServer({ ...options.server, projectDirectory: repo.dir });
  return { llm, repo, server };
}
