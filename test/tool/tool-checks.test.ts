// Every call is checked against the tool's schema before it runs: bad arguments end the part in
// error with upstream's message, the model reads it and its corrected call runs. And every tool's
// answer is held to one limit (2000 lines, 50 KB): beyond it the model gets the start, and the
// whole output is saved to a file it is pointed at.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLlmProject } from "../support/llm-project.js";
import { lastUserText, type ChatRequest, type ScriptedLlm } from "../support/scripted-llm.js";
import { jsonInit, type TestServer } from "../support/server.js";

type Part = {
  type: string;
  tool?: string;
  state?: { status: string; error?: string; output?: string; metadata?: Record<string, unknown> };
};
type Reply = { info: { role: string }; parts: Part[] };

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string };
const savedDataHome = process.env.XDG_DATA_HOME;

beforeAll(async () => {
  // Cut outputs are saved under $XDG_DATA_HOME: a private one for this file.
  process.env.XDG_DATA_HOME = mkdtempSync(path.join(os.tmpdir(), "tool-checks-data-"));
  ({ llm, repo, server } = await startLlmProject("tool-checks"));
});
afterAll(async () => {
  await server.close();
  await llm.stop();
  if (savedDataHome === undefined) delete process.env.XDG_DATA_HOME;
  else process.env.XDG_DATA_HOME = savedDataHome;
});

const lastTool = (request: ChatRequest) => {
  const last = request.body.messages.at(-1)!;
  return last.role === "tool" ? String(typeof last.content === "string" ? last.content : JSON.stringify(last.content)) : undefined;
};

async function run(text: string): Promise<Reply[]> {
  const sessionID = ((await (await server.fetch("/session", jsonInit("POST", {}))).json()) as { id: string }).id;
  const res = await server.fetch(`/session/${sessionID}/message`, jsonInit("POST", { parts: [{ type: "text", text }] }));
  expect(res.status).toBe(200);
  return (await (await server.fetch(`/session/${sessionID}/message`)).json()) as Reply[];
}

describe("arguments are checked before a tool runs", () => {
  it("a call with missing and mistyped arguments fails with upstream's message, and the retry succeeds", async () => {
    const file = path.join(repo.dir, "checked.txt");
    llm.setScript((request) => {
      if (lastUserText(request) !== "write badly") return undefined;
      const result = lastTool(request);
      if (result === undefined)
        // No content, and a number for the path: write must not run at all.
        return { kind: "tool", calls: [{ name: "write", args: { filePath: 42 } }] };
      if (result.includes("invalid arguments"))
        return { kind: "tool", calls: [{ name: "write", args: { filePath: file, content: "fixed\n" } }] };
      return { kind: "text", text: `done: ${result}` };
    });
    try {
      const messages = await run("write badly");
      const [failed, retried] = messages.filter((m) => m.info.role === "assistant").map((m) => m.parts.find((p) => p.type === "tool")!);
      expect(failed).toMatchObject({ tool: "write", state: { status: "error" } });
      const error = failed!.state!.error!;
      expect(error).toMatch(/^The write tool was called with invalid arguments: \[/);
      expect(error).toMatch(/Please rewrite the input so it satisfies the expected schema\.$/);
      expect(error).toContain('"content"');
      expect(error).toContain('"filePath"');
      // The model read exactly that error as the tool's result.
      const errorRequest = llm.requests.find((r) => lastUserText(r) === "write badly" && lastTool(r)?.includes("invalid arguments"))!;
      expect(lastTool(errorRequest)).toContain("Please rewrite the input so it satisfies the expected schema.");
      expect(retried).toMatchObject({ tool: "write", state: { status: "completed", output: "Wrote file successfully." } });
      expect(readFileSync(file, "utf8")).toBe("fixed\n");
    } finally {
      llm.setScript(undefined);
    }
  });

  it("a bound the schema sets is enforced too (bash timeout must be positive)", async () => {
    llm.setScript((request) =>
      lastUserText(request) === "bash with bad timeout" && lastTool(request) === undefined
        ? { kind: "tool", calls: [{ name: "bash", args: { command: "touch ran.txt", timeout: -5 } }] }
        : undefined,
    );
    try {
      const messages = await run("bash with bad timeout");
      const part = messages[1]!.parts.find((p) => p.type === "tool")!;
      expect(part.state).toMatchObject({
        status: "error",
        error: expect.stringContaining("The bash tool was called with invalid arguments"),
      });
      expect(existsSync(path.join(repo.dir, "ran.txt"))).toBe(false);
    } finally {
      llm.setScript(undefined);
    }
  });
});

describe("one output limit for every tool", () => {
  it("read of a large file: the model gets the first 50 KB and the path of the whole output", async () => {
    const line = "x".repeat(99);
    writeFileSync(path.join(repo.dir, "big.txt"), `${Array.from({ length: 1500 }, (_, i) => `${i + 1} ${line}`).join("\n")}\n`);
    llm.setScript((request) => {
      if (lastUserText(request) !== "read big") return undefined;
      // A short answer after the result: echoing 50 KB back would only slow the test.
      if (lastTool(request) !== undefined) return { kind: "text", text: "read it" };
      return { kind: "tool", calls: [{ name: "read", args: { filePath: path.join(repo.dir, "big.txt") } }] };
    });
    try {
      const messages = await run("read big");
      const part = messages[1]!.parts.find((p) => p.type === "tool")!;
      expect(part.state!.status).toBe("completed");
      const output = part.state!.output!;
      const metadata = part.state!.metadata!;
      expect(metadata.truncated).toBe(true);
      const saved = String(metadata.outputPath);
      expect(saved.startsWith(path.join(process.env.XDG_DATA_HOME!, "agentpool", "tool-output", "tool_"))).toBe(true);
      expect(output).toContain(saved);
      expect(output).toMatch(/\.\.\.\d+ bytes truncated\.\.\./);
      const kept = output.slice(0, output.indexOf("\n\n..."));
      expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(50 * 1024);
      expect(kept.startsWith("<path>")).toBe(true);
      // The saved file holds the whole answer, up to the file's last line.
      const full = readFileSync(saved, "utf8");
      expect(full).toContain(`1: 1 ${line}`);
      expect(full).toContain(`1500: 1500 ${line}`);
      // The build agent can start sub-agents, so it is told to hand the file to one.
      expect(output).toContain("explore agent");
    } finally {
      llm.setScript(undefined);
    }
  });
});
