// find.symbols asks the directory's running language servers for workspace symbols (a small
// real server here, test/support/fake-lsp.cjs); with none running it answers [].
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeProvider, startLlmProject } from "../support/llm-project.js";
import type { ScriptedLlm } from "../support/scripted-llm.js";
import { sdkV2 } from "../support/sdk.js";
import { jsonInit, type TestServer } from "../support/server.js";

const FAKE_LSP = fileURLToPath(new URL("../support/fake-lsp.cjs", import.meta.url));

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string };
const sdk = () => sdkV2({ baseUrl: server.url, directory: repo.dir });

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("symbols"));
  const config = {
    model: "fake/m",
    provider: { fake: fakeProvider(llm.url) },
    lsp: { fakets: { command: [process.execPath, FAKE_LSP], extensions: [".ts", ".txt"] } },
  };
  writeFileSync(path.join(repo.dir, "opencode.json"), JSON.stringify(config));
  writeFileSync(path.join(repo.dir, "math.ts"), "export function addNumbers(a: number, b: number) {\n  return a + b;\n}\n");
  server.services.configs.invalidate();
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

describe("find.symbols", () => {
  it("answers [] while no language server runs", async () => {
    expect((await sdk().find.symbols({ query: "add" })).data).toEqual([]);
  });

  it("answers the workspace symbols of the language server an edit started", async () => {
    // The write tool's edit starts the servers that handle the file (as upstream).
    const session = (await sdk().session.create({})).data as { id: string };
    await server.fetch(`/session/${session.id}/message`, jsonInit("POST", { parts: [{ type: "text", text: "write file" }] }));
    await expect
      .poll(async () => ((await sdk().lsp.status()).data as { status: string }[]).map((s) => s.status), { timeout: 10_000 })
      .toEqual(["connected"]);
    const symbols = (await sdk().find.symbols({ query: "add" })).data!;
    expect(symbols).toEqual([
      {
        name: "addNumbers",
        kind: 12,
        location: {
          uri: `file://${path.join(repo.dir, "math.ts")}`,
          range: { start: { line: 0, character: 7 }, end: { line: 0, character: 26 } },
        },
      },
    ]);
  });
});
