// The server as `npm start` and the `agentpool` bin run it: the build (scripts/build.mjs, one
// bundle with its packages) started with plain node. The rest of the suite runs the sources;
// this drives the built one through what a bundle could break: the AI SDK provider loaded on
// first use, a tool call, an MCP server's tool (the MCP SDK in its own chunk), the event stream,
// a stored list, and the real `opencode run --attach`.
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonInit } from "./support/json-init.js";
import { makeLlmRepo } from "./support/llm-project.js";
import { opencodeAvailable, runOpencode } from "./support/opencode-binary.js";
import { startScriptedLlm, type ScriptedLlm } from "./support/scripted-llm.js";
import { killServed, okJson, serveProcess, stopServed, type ServedNode } from "./support/serve-process.js";
import { openEventReader } from "./support/sse.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
// Inside the package: the built server finds its spec and console by the package.json above it.
const OUT = path.join(ROOT, ".test-build", String(process.pid));
const STDIO_MCP = [path.join(ROOT, "node_modules/.bin/tsx"), path.join(ROOT, "test/support/mcp-server.ts"), "--stdio"];

type Part = { type: string; tool?: string; text?: string; state?: { status: string; output?: string } };

let llm: ScriptedLlm;
let repo: { dir: string };
let node: ServedNode;

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, "scripts/build.mjs"), "--outdir", OUT], { cwd: ROOT, stdio: "pipe" });
  llm = await startScriptedLlm();
  repo = makeLlmRepo("built", llm.url, { mcp: { calc: { type: "local", command: STDIO_MCP } } });
  writeFileSync(path.join(repo.dir, "notes.txt"), "the built server read this\n");
  node = await serveProcess(repo.dir, [], {}, path.join(OUT, "src", "main.js"));
}, 60_000);

afterAll(async () => {
  if (node) await stopServed(node);
  killServed();
  await llm?.stop();
  rmSync(OUT, { recursive: true, force: true });
});

describe("the built server", () => {
  it("runs a turn with a built-in tool and an MCP tool through the AI SDK, streaming it on /event", async () => {
    const events = await openEventReader(`${node.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
    llm.setScript((request) => {
      const toolResults = request.body.messages.filter((m) => m.role === "tool").length;
      if (toolResults === 0) return { kind: "tool", calls: [{ name: "read", args: { filePath: path.join(repo.dir, "notes.txt") } }] };
      if (toolResults === 1) return { kind: "tool", calls: [{ name: "calc_add", args: { a: 2, b: 3 } }] };
      return { kind: "text", text: "Both tools answered." };
    });
    try {
      const session = await okJson<{ id: string }>(`${node.url}/session`, jsonInit("POST", {}));
      const reply = await okJson<{ parts: Part[] }>(
        `${node.url}/session/${session.id}/message`,
        jsonInit("POST", { parts: [{ type: "text", text: "use the tools" }] }),
      );
      expect(reply.parts.find((p) => p.type === "text")?.text).toBe("Both tools answered.");
      // Each step of the turn is a message of its own; the list has them all, as stored.
      const stored = await okJson<{ parts: Part[] }[]>(`${node.url}/session/${session.id}/message`);
      const tools = stored.flatMap((m) => m.parts).filter((p) => p.type === "tool");
      expect(tools.map((p) => [p.tool, p.state?.status])).toEqual([
        ["read", "completed"],
        ["calc_add", "completed"],
      ]);
      expect(tools[0]!.state!.output).toContain("the built server read this");
      expect(tools[1]!.state!.output).toContain("2 + 3 = 5");
      const delta = await events.next<{ type: string; properties: { sessionID?: string } }>(
        (e) => e.type === "message.part.delta" && e.properties.sessionID === session.id,
      );
      expect(delta.type).toBe("message.part.delta");
      await events.next<{ type: string; properties: { sessionID?: string } }>(
        (e) => e.type === "session.idle" && e.properties.sessionID === session.id,
      );
    } finally {
      events.close();
      llm.setScript(undefined);
    }
  });

  it.skipIf(!opencodeAvailable())("answers the real opencode run --attach", async () => {
    const run = await runOpencode(["run", "--attach", node.url, "--model", "fake/m", "hello from the built server"], repo.dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`You said: "hello from the built server"`);
  });
});
