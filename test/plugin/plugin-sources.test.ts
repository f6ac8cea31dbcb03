// Where extensions come from, as OpenCode 1.18.33 finds them: npm packages named by the `plugin`
// config key (from the project's node_modules, with their options; a package that is not installed
// is reported, never installed), `file://` paths, the global config folder's tools/, and JavaScript
// as well as TypeScript. Disposing the instance runs the plugins' dispose hooks and loads the
// files afresh on the next request. A plugin's permission.ask can deny a call.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLlmProject } from "../support/llm-project.js";
import { defaultScript, type ScriptedLlm } from "../support/scripted-llm.js";
import { openEventReader } from "../support/sse.js";
import { jsonInit, type TestServer } from "../support/server.js";
import { makeTempDir } from "../support/temp.js";

type Part = { type: string; tool?: string; state?: { status: string; output?: string; error?: string } };
type Reply = { info: { id: string; role: string }; parts: Part[] };
type Frame = { directory?: string; payload: { type: string; properties: Record<string, unknown> } };

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string };
let disposeLog: string;
let errorFrames: () => Frame[] = () => [];
let closeReader: () => void = () => {};

/** An ES module package in the project's node_modules whose plugin adds a tool answering its options. */
function installPackage(dir: string): void {
  const pkg = path.join(dir, "node_modules", "greeting-plugin");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    path.join(pkg, "package.json"),
    JSON.stringify({ name: "greeting-plugin", type: "module", exports: { ".": "./index.js" } }),
  );
  writeFileSync(
    path.join(pkg, "index.js"),
    `import { tool } from "@opencode-ai/plugin"
export default async (_input, options) => ({
  tool: { package_greeting: tool({ description: "Greets from a package", args: {}, async execute() { return "package says " + options.greeting } }) },
})
`,
  );
}

const FILE_PLUGIN = (log: string) => `
import { appendFileSync } from "node:fs"
export const Guard = async () => ({
  "permission.ask": async (input, output) => { if (input.type === "webfetch") output.status = "deny" },
  dispose: async () => { appendFileSync(${JSON.stringify(log)}, "disposed\\n") },
})
`;

async function run(text: string): Promise<Reply[]> {
  const session = (await (await server.fetch("/session", jsonInit("POST", {}))).json()) as { id: string };
  const res = await server.fetch(`/session/${session.id}/message`, jsonInit("POST", { parts: [{ type: "text", text }] }));
  expect(res.status).toBe(200);
  await res.json();
  return (await (await server.fetch(`/session/${session.id}/message`)).json()) as Reply[];
}

const toolPart = (messages: Reply[]) => messages.flatMap((m) => m.parts).find((p) => p.type === "tool")!;

beforeAll(async () => {
  const elsewhere = makeTempDir("file-plugin");
  disposeLog = path.join(elsewhere, "dispose.log");
  writeFileSync(path.join(elsewhere, "guard.js"), FILE_PLUGIN(disposeLog));
  ({ llm, repo, server } = await startLlmProject("plugin-sources", {
    config: {
      permission: { webfetch: "ask", hidden: "deny" },
      plugin: [
        ["greeting-plugin", { greeting: "hello" }],
        "not-installed-plugin@1.2.3",
        pathToFileURL(path.join(elsewhere, "guard.js")).href,
      ],
    },
  }));
  installPackage(repo.dir);
  const globalTools = path.join(process.env.XDG_CONFIG_HOME!, "opencode", "tools");
  mkdirSync(globalTools, { recursive: true });
  writeFileSync(
    path.join(globalTools, "world.js"),
    `import { tool } from "@opencode-ai/plugin"
export default tool({ description: "Says world", args: { n: tool.schema.number() }, async execute(args) { return "world " + args.n } })
`,
  );
  // Opened for another directory: a request for the project's own would start its plugins before the stream listens.
  writeFileSync(
    path.join(globalTools, "hidden.js"),
    `export default { description: "Never offered", args: {}, async execute() { return "no" } }\n`,
  );
  const reader = await openEventReader(`${server.url}/global/event?directory=${encodeURIComponent(elsewhere)}`, "global");
  await reader.next();
  errorFrames = () => (reader.frames as Frame[]).filter((frame) => frame.payload.type === "session.error" && frame.directory === repo.dir);
  closeReader = () => reader.close();
  llm.setScript((request) => {
    const last = request.body.messages.at(-1)!;
    const text = JSON.stringify(last.content);
    if (last.role === "user" && text.includes("call package")) return { kind: "tool", calls: [{ name: "package_greeting", args: {} }] };
    if (last.role === "user" && text.includes("call world")) return { kind: "tool", calls: [{ name: "world", args: { n: 3 } }] };
    if (last.role === "user" && text.includes("call fetch"))
      return { kind: "tool", calls: [{ name: "webfetch", args: { url: "http://127.0.0.1:9/", format: "text" } }] };
    return defaultScript(request);
  });
});
afterAll(async () => {
  closeReader();
  await server.close();
  await llm.stop();
});

describe("plugin sources", () => {
  it("loads an npm package from the project's node_modules with its options", async () => {
    expect(toolPart(await run("call package")).state).toMatchObject({ status: "completed", output: "package says hello" });
  });

  it("reports a package that is not installed instead of installing it", async () => {
    await expect.poll(() => errorFrames().length, { timeout: 10_000 }).toBe(1);
    expect((errorFrames()[0]!.payload.properties.error as { data: { message: string } }).data.message).toBe(
      "Failed to load plugin not-installed-plugin@1.2.3: the package not-installed-plugin is not installed (install it in the project: npm install not-installed-plugin)",
    );
  });

  it("offers the global config folder's tools, written in JavaScript, except those the rules deny by name", async () => {
    const before = llm.requests.length;
    expect(toolPart(await run("call world")).state).toMatchObject({ status: "completed", output: "world 3" });
    const offered = llm.requests
      .slice(before)
      .find((r) => r.body.tools)!
      .body.tools!.map((t) => t.function.name);
    expect(offered).toContain("world");
    expect(offered).not.toContain("hidden");
  });

  it("lets a plugin deny what the rules would ask the user (permission.ask)", async () => {
    const part = toolPart(await run("call fetch"));
    expect(part.state).toMatchObject({ status: "error", error: expect.stringContaining("A plugin denied this tool call (webfetch") });
  });
});

describe("instance.dispose", () => {
  it("runs the plugins' dispose hooks and loads changed files on the next request", async () => {
    const tools = path.join(repo.dir, ".opencode", "tools");
    mkdirSync(tools, { recursive: true });
    writeFileSync(path.join(tools, "version.ts"), `export default { description: "v", args: {}, async execute() { return "one" } }\n`);
    expect((await server.fetch("/instance/dispose", { method: "POST" })).status).toBe(200);
    expect(readFileSync(disposeLog, "utf8")).toBe("disposed\n");
    llm.setScript((request) => {
      const last = request.body.messages.at(-1)!;
      if (last.role === "user") return { kind: "tool", calls: [{ name: "version", args: {} }] };
      return defaultScript(request);
    });
    expect(toolPart(await run("which version")).state).toMatchObject({ status: "completed", output: "one" });
    writeFileSync(path.join(tools, "version.ts"), `export default { description: "v", args: {}, async execute() { return "two" } }\n`);
    await server.fetch("/instance/dispose", { method: "POST" });
    expect(toolPart(await run("which version")).state).toMatchObject({ status: "completed", output: "two" });
  });
});
