// The agents' permission rules as upstream assembles them: GET /agent compared field by field with
// the reference capture of upstream's /agent (paths normalised), the user's `permission` config
// merged in upstream's order, and the same rules deciding at run time: the plan agent may write
// its plan file and nothing else.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAgents } from "../../src/agent/agents.js";
import { toolOutputDirectory } from "../../src/tool/truncate.js";
import { dataDirectory } from "../../src/xdg.js";
import { startLlmProject } from "../support/llm-project.js";
import type { ScriptedLlm } from "../support/scripted-llm.js";
import { jsonInit, type TestServer } from "../support/server.js";

type Rule = { permission: string; pattern: string; action: string };
type AgentInfo = { name: string; prompt?: string; description?: string; permission: Rule[]; [key: string]: unknown };

const CAPTURE = path.resolve(__dirname, "../../../shared/reference/opencode-1.18.33/endpoints/get_agent.json");
// Where the capture's data folder and project were; its built-in skill (customize-opencode) lived
// in /tmp/opencode, a skill folder this server does not have.
const UPSTREAM_DATA = "/srv/demo/home/.local/share/opencode";
const UPSTREAM_PROJECT = "/srv/demo/proj";
const UPSTREAM_SKILL_FOLDER = "/tmp/opencode/*";

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string };

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("agent-permissions"));
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

/** A rule's pattern with the data folder as <data> (a relative one resolved against the project first). */
function normalise(rule: Rule, data: string, project: string): Rule {
  let pattern = rule.pattern;
  if (pattern.startsWith("../")) pattern = path.resolve(project, pattern);
  if (pattern.startsWith(data)) pattern = `<data>${pattern.slice(data.length)}`;
  return { ...rule, pattern };
}

describe("GET /agent", () => {
  it("answers upstream's agents, fields and permission rules (as the reference capture shows them)", async () => {
    const upstream = (JSON.parse(readFileSync(CAPTURE, "utf8")) as { body: AgentInfo[] }).body;
    const ours = (await (await server.fetch("/agent")).json()) as AgentInfo[];
    expect(ours.map((a) => a.name)).toEqual(upstream.map((a) => a.name));
    const data = dataDirectory();
    expect(toolOutputDirectory()).toBe(path.join(data, "tool-output"));
    for (const theirs of upstream) {
      const mine = ours.find((a) => a.name === theirs.name)!;
      // Every field upstream answers, ours too; the texts are our own wording.
      expect(Object.keys(mine).sort(), theirs.name).toEqual(Object.keys(theirs).sort());
      for (const key of Object.keys(theirs)) {
        if (key === "permission" || key === "prompt" || (key === "description" && theirs.name === "explore")) continue;
        expect(mine[key], `${theirs.name}.${key}`).toEqual(theirs[key]);
      }
      const expected = theirs.permission
        .filter((rule) => rule.pattern !== UPSTREAM_SKILL_FOLDER)
        .map((rule) => normalise(rule, UPSTREAM_DATA, UPSTREAM_PROJECT));
      const actual = mine.permission.map((rule) => normalise(rule, data, repo.dir));
      expect(actual, theirs.name).toEqual(expected);
    }
  });

  it("merges the user's permission config after an agent's built-in rules, the agent's own config after that", async () => {
    const config = {
      permission: { bash: { "*": "ask", "git status": "allow" }, edit: "ask" },
      agent: { plan: { permission: { bash: "deny" } }, mine: { prompt: "hello", permission: { webfetch: "deny" } } },
    } as const;
    const agents = await loadAgents(config as never, repo.dir, repo.dir);
    const rules = (name: string) =>
      agents.find((a) => a.name === name)!.permission.map((r) => `${r.permission} ${r.pattern} ${r.action}`);
    const toolOutput = `external_directory ${path.join(toolOutputDirectory(), "*")} allow`;
    // As the real opencode serve 1.18.33 answered with this config.
    expect(rules("plan").slice(-7)).toEqual([
      "edit .opencode/plans/*.md allow",
      expect.stringMatching(/^edit \.\.\/.*\/plans\/\*\.md allow$/),
      "bash * ask",
      "bash git status allow",
      "edit * ask",
      "bash * deny",
      toolOutput,
    ]);
    expect(rules("mine").slice(-6)).toEqual(["read *.env.example allow", "bash * ask", "bash git status allow", "edit * ask", "webfetch * deny", toolOutput]);
    expect(agents.find((a) => a.name === "mine")!.prompt).toBe("hello");
  });

  it("leaves the tool-output folder out when a rule denies exactly it", async () => {
    const toolOutput = path.join(toolOutputDirectory(), "*");
    const agents = await loadAgents({ permission: { external_directory: { [toolOutput]: "deny" } } }, repo.dir, repo.dir);
    expect(agents.find((a) => a.name === "build")!.permission.at(-1)).toEqual({
      permission: "external_directory",
      pattern: toolOutput,
      action: "deny",
    });
  });
});

describe("the plan agent at run time", () => {
  type Part = { type: string; tool?: string; state?: { status: string; error?: string } };

  it("writes its plan file but no other file", async () => {
    llm.setScript((request) => {
      if (request.body.messages.at(-1)?.role === "tool") return undefined;
      const text = llm.lastUserText(request);
      if (text.includes("write the plan"))
        return { kind: "tool", calls: [{ name: "write", args: { filePath: ".opencode/plans/feature.md", content: "# Plan\n" } }] };
      if (text.includes("write code"))
        return { kind: "tool", calls: [{ name: "write", args: { filePath: "src.ts", content: "export {}\n" } }] };
      return undefined;
    });
    try {
      const sessionID = ((await (await server.fetch("/session", jsonInit("POST", {}))).json()) as { id: string }).id;
      const turn = async (text: string) => {
        const res = await server.fetch(`/session/${sessionID}/message`, jsonInit("POST", { agent: "plan", parts: [{ type: "text", text }] }));
        expect(res.status).toBe(200);
        const reply = (await res.json()) as { info: { id: string } };
        const messages = (await (await server.fetch(`/session/${sessionID}/message`)).json()) as { info: { id: string }; parts: Part[] }[];
        // The tool call is in the first assistant message of the turn.
        const index = messages.findIndex((m) => m.info.id === reply.info.id);
        return messages
          .slice(0, index + 1)
          .flatMap((m) => m.parts)
          .filter((p) => p.type === "tool" && p.tool === "write")
          .at(-1)!;
      };
      const plan = await turn("write the plan");
      expect(plan.state!.status).toBe("completed");
      expect(readFileSync(path.join(repo.dir, ".opencode", "plans", "feature.md"), "utf8")).toBe("# Plan\n");

      const code = await turn("write code");
      expect(code.state!.status).toBe("error");
      expect(existsSync(path.join(repo.dir, "src.ts"))).toBe(false);
    } finally {
      llm.setScript(undefined);
    }
  });
});
