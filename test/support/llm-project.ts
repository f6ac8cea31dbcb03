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

export async function startLlmProject(
  name: string,
  options: { config?: Record<string, unknown>; models?: string[]; server?: Omit<TestServerOptions, "projectDirectory"> } = {},
): Promise<LlmProject> {
  const llm = await startScriptedLlm();
  const repo = makeRepo(name);
  const config = { model: "fake/m", provider: { fake: fakeProvider(llm.url, options.models) }, ...options.config };
  writeFileSync(path.join(repo.dir, "opencode.json"), JSON.stringify(config));
  const server = await startTestServer({ ...options.server, projectDirectory: repo.dir });
  return { llm, repo, server };
}
