// The file, search and web tools on their own, with a recording context: what they answer, what
// they ask permission for, and how they fail; the common output limit; which tools an agent gets.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { editTool } from "../../src/tool/edit.js";
import { globTool, grepTool } from "../../src/tool/search.js";
import type { ToolContext, ToolDefinition } from "../../src/tool/tool.js";
import { webfetchTool } from "../../src/tool/webfetch.js";
import { loadAgents, type AgentDefinition } from "../../src/agent/agents.js";
import { isDisabled } from "../../src/tool/agent-tools.js";
import { toolsFor, type ToolsForInput } from "../../src/tool/registry.js";
import { truncateOutput } from "../../src/tool/truncate.js";
import { makeRepo } from "../support/git.js";

let repo: { dir: string };
let asked: { permission: string; patterns: string[] }[];
let published: { type: string; properties: Record<string, unknown> }[];

function context(): ToolContext {
  return {
    sessionID: "ses_test",
    messageID: "msg_test",
    callID: "call_test",
    agent: "build",
    directory: repo.dir,
    worktree: repo.dir,
    signal: new AbortController().signal,
    progress: () => undefined,
    onAbort: () => undefined,
    publish: (type, properties) => void published.push({ type, properties }),
    ask: async (request) => void asked.push({ permission: request.permission, patterns: request.patterns }),
    question: async () => [],
    todos: { get: async () => [], set: async () => undefined },
    subtask: async () => ({ sessionID: "ses_child", text: "", model: { providerID: "p", modelID: "m" } }),
  };
}

async function run<A>(tool: ToolDefinition<A>, args: A) {
  asked = [];
  published = [];
  return tool.execute(args, context());
}

beforeAll(() => {
  repo = makeRepo("tool-units");
  mkdirSync(path.join(repo.dir, "src", "lib"), { recursive: true });
  writeFileSync(path.join(repo.dir, "src", "a.ts"), "export const a = 1;\n// TODO: more\n");
  writeFileSync(path.join(repo.dir, "src", "lib", "b.ts"), "export const b = a + 1;\nexport const c = a + 2;\n");
  writeFileSync(path.join(repo.dir, ".gitignore"), "ignored.txt\n");
  writeFileSync(path.join(repo.dir, "ignored.txt"), "TODO hidden\n");
});

describe("edit", () => {
  it("replaces a unique piece of text, reports the diff and publishes file.edited", async () => {
    const file = path.join(repo.dir, "src", "a.ts");
    const result = await run(editTool, { filePath: file, oldString: "const a = 1", newString: "const a = 2" });
    expect(readFileSync(file, "utf8")).toBe("export const a = 2;\n// TODO: more\n");
    expect(result).toMatchObject({
      title: "src/a.ts",
      output: "Edit applied successfully.",
      metadata: { filediff: { additions: 1, deletions: 1 } },
    });
    expect(String(result.metadata.diff)).toContain("+export const a = 2;");
    expect(asked).toEqual([{ permission: "edit", patterns: ["src/a.ts"] }]);
    expect(published.map((e) => e.type)).toEqual(["file.edited", "file.watcher.updated"]);
  });

  it("refuses text that is missing or not unique, and changes nothing", async () => {
    const file = path.join(repo.dir, "src", "lib", "b.ts");
    await expect(run(editTool, { filePath: file, oldString: "nope", newString: "x" })).rejects.toThrow(
      "oldString was not found in the file",
    );
    await expect(run(editTool, { filePath: file, oldString: "export const", newString: "const" })).rejects.toThrow("appears 2 times");
    expect(readFileSync(file, "utf8")).toBe("export const b = a + 1;\nexport const c = a + 2;\n");
    await run(editTool, { filePath: file, oldString: "a + ", newString: "a - ", replaceAll: true });
    expect(readFileSync(file, "utf8")).toBe("export const b = a - 1;\nexport const c = a - 2;\n");
  });
});

describe("glob, grep", () => {
  it("glob finds files by pattern, ignored files left out", async () => {
    const result = await run(globTool, { pattern: "**/*.ts" });
    expect(result.output.split("\n").sort()).toEqual([path.join(repo.dir, "src", "a.ts"), path.join(repo.dir, "src", "lib", "b.ts")]);
    expect(await run(globTool, { pattern: "*.py" })).toMatchObject({ output: "No files found" });
  });

  it("grep finds matching lines with their line numbers", async () => {
    const result = await run(grepTool, { pattern: "TODO" });
    expect(result.output).toBe(`Found 1 matches\n\n${path.join(repo.dir, "src", "a.ts")}:\n  Line 2: // TODO: more`);
    const some = await run(grepTool, { pattern: "export const [bc]", include: "*.ts" });
    expect(some.metadata).toMatchObject({ matches: 2 });
    expect(asked.at(-1)).toEqual({ permission: "grep", patterns: ["export const [bc]"] });
  });
});

describe("webfetch", () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === "/page")
        res
          .writeHead(200, { "content-type": "text/html" })
          .end("<html><body><h1>Title</h1><p>Some <b>bold</b> text.</p><script>x()</script></body></html>");
      else res.writeHead(404).end("missing");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("answers a page as markdown, text or HTML, after asking permission", async () => {
    expect((await run(webfetchTool, { url: `${base}/page` })).output).toBe("# Title\n\nSome **bold** text.");
    expect(asked).toEqual([{ permission: "webfetch", patterns: [`${base}/page`] }]);
    expect((await run(webfetchTool, { url: `${base}/page`, format: "text" })).output).toBe("Title Some bold text.");
    expect((await run(webfetchTool, { url: `${base}/page`, format: "html" })).output).toContain("<h1>Title</h1>");
  });

  it("fails clearly on an error status or a non-http URL", async () => {
    await expect(run(webfetchTool, { url: `${base}/nope` })).rejects.toThrow("Request failed with status 404");
    await expect(run(webfetchTool, { url: "file:///etc/passwd" })).rejects.toThrow("must start with http");
  });
});

describe("the common output limit", () => {
  const saved = process.env.XDG_DATA_HOME;
  // Cut outputs are saved under $XDG_DATA_HOME: a private one here.
  beforeAll(() => void (process.env.XDG_DATA_HOME = path.join(repo.dir, ".data")));
  afterAll(() => {
    if (saved === undefined) delete process.env.XDG_DATA_HOME;
    else process.env.XDG_DATA_HOME = saved;
  });

  it("keeps short output, cuts at 2000 lines and says how many were left out", async () => {
    expect(await truncateOutput("short\noutput", false)).toEqual({ content: "short\noutput", truncated: false });
    const long = Array.from({ length: 2500 }, (_, i) => `line ${i + 1}`).join("\n");
    const cut = await truncateOutput(long, false);
    expect(cut.truncated).toBe(true);
    expect(cut.content.startsWith("line 1\n")).toBe(true);
    expect(cut.content).toContain("line 2000\n\n...500 lines truncated...");
    expect(cut.content).not.toContain("line 2001");
    expect(cut.content).toContain("Grep");
    expect(cut.content).not.toContain("explore agent");
    if (cut.truncated) {
      expect(cut.outputPath.startsWith(path.join(repo.dir, ".data", "agentpool", "tool-output"))).toBe(true);
      expect(readFileSync(cut.outputPath, "utf8")).toBe(long);
    }
  });
});

describe("which tools an agent is offered", () => {
  // Agents as the loader makes them: their `permission` is the effective ruleset.
  const agent = async (name: string, config: ToolsForInput["config"] = {}) => {
    const agents = await loadAgents({ ...config, agent: { custom: { mode: "primary" } } }, repo.dir, repo.dir);
    return agents.find((a) => a.name === name)!;
  };
  const offered = async (name: string, extra: Partial<ToolsForInput> = {}) =>
    toolsFor({ agent: await agent(name, extra.config), subagents: [], ...extra }).map((t) => t.id);

  it("leaves out a tool whose last rule denies it everywhere, but not one denied for some patterns", async () => {
    const deny = (permission: string, pattern = "*") => ({ permission, pattern, action: "deny" as const });
    expect(isDisabled("write", [deny("edit")])).toBe(true);
    expect(isDisabled("bash", [deny("bash", "rm *")])).toBe(false);
    expect(isDisabled("bash", [deny("*"), { permission: "bash", pattern: "*", action: "allow" }])).toBe(false);
    expect(await offered("build", { config: { permission: { bash: "deny" } } })).not.toContain("bash");
    expect(await offered("build", { enabled: { webfetch: false } })).not.toContain("webfetch");
  });

  it("offers question to build only among these, todowrite and task not in a task's session", async () => {
    expect(await offered("build")).toContain("question");
    expect(await offered("custom")).not.toContain("question");
    const general = { name: "general", mode: "subagent", native: true, permission: [], options: {} } as AgentDefinition;
    expect(await offered("build", { subagents: [general] })).toContain("task");
    expect(await offered("custom", { subagents: [general], subtask: true })).not.toEqual(expect.arrayContaining(["task"]));
    expect(await offered("custom", { subtask: true })).not.toContain("todowrite");
    // By name; `invalid` is always there for the repair of unknown calls (llm-turn never offers it).
    expect(await offered("explore")).toEqual(["bash", "glob", "grep", "invalid", "read", "webfetch"]);
    // Plan keeps edit and write: it may write its plan files.
    expect(await offered("plan")).toEqual(expect.arrayContaining(["edit", "write", "question"]));
  });
});
