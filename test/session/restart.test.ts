// A killed server loses nothing it acknowledged: after kill -9 in the middle of a reply, the
// restarted server has every session, message and part with the same ids, and the interrupted
// run is finalised as aborted.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { makeRepo } from "../support/git.js";
import { startScriptedLlm } from "../support/scripted-llm.js";
import { makeTempDir } from "../support/temp.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
});

function serve(project: string, env: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["bin/agentpool.js", "serve", "--port", "0", "--project", project], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  children.push(child);
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve({ url: match[1]!, child });
    });
    child.once("exit", (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

type Reply = {
  info: { id: string; role: string; error?: { name: string }; time: { completed?: number } };
  parts: { id: string; type: string; text?: string; time?: { end?: number } }[];
};

describe("kill -9 mid-run", () => {
  it("keeps every acknowledged record and finalises the interrupted run on restart", async () => {
    const llm = await startScriptedLlm({
      script: () => ({ kind: "text", text: Array.from({ length: 200 }, (_, i) => `w${i}`).join(" "), delayMs: 30 }),
    });
    const repo = makeRepo("restart");
    writeFileSync(
      path.join(repo.dir, "opencode.json"),
      JSON.stringify({
        model: "fake/m",
        provider: { fake: { npm: "@ai-sdk/openai-compatible", options: { baseURL: llm.url, apiKey: "k" }, models: { m: {} } } },
      }),
    );
    const env = { XDG_DATA_HOME: makeTempDir("data"), XDG_STATE_HOME: makeTempDir("state"), OPENCODE_SERVER_PASSWORD: "" };
    const first = await serve(repo.dir, env);
    const session = (await (
      await fetch(`${first.url}/session`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
    ).json()) as { id: string };
    const accepted = await fetch(`${first.url}/session/${session.id}/prompt_async`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ parts: [{ type: "text", text: "stream for a while" }] }),
    });
    expect(accepted.status).toBe(204);
    // Wait until some of the reply is stored, then kill the server without warning.
    let before: Reply[] = [];
    await expect
      .poll(
        async () => {
          before = (await (await fetch(`${first.url}/session/${session.id}/message`)).json()) as Reply[];
          return before[1]?.parts.find((p) => p.type === "text")?.text?.length ?? 0;
        },
        { timeout: 10_000 },
      )
      .toBeGreaterThan(20);
    process.kill(-first.child.pid!, "SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));

    const second = await serve(repo.dir, env);
    const after = (await (await fetch(`${second.url}/session/${session.id}/message`)).json()) as Reply[];
    expect(after.map((m) => m.info.id)).toEqual(before.map((m) => m.info.id));
    expect(after[0]!.parts.map((p) => p.id)).toEqual(before[0]!.parts.map((p) => p.id));
    const assistant = after[1]!;
    expect(assistant.info.error).toEqual({ name: "MessageAbortedError", data: { message: "Aborted" } });
    expect(assistant.info.time.completed).toBeDefined();
    const text = assistant.parts.find((p) => p.type === "text")!;
    expect(text.text!.startsWith(before[1]!.parts.find((p) => p.type === "text")!.text!)).toBe(true);
    expect(text.time?.end).toBeDefined();
    const status = await (await fetch(`${second.url}/session/status`)).json();
    expect(status).toEqual({});
    process.kill(-second.child.pid!, "SIGTERM");
    await llm.stop();
  });
});
