// What the model receives: the same prompts sent to the real opencode (`opencode serve`, the
// pinned npm opencode-ai) and to this server, each against its own scripted OpenAI-compatible
// model, and the recorded model requests compared per scenario and per request kind (agent turn,
// title, summary, sub-agent) on normalised facts: tool names, tool parameter schemas without
// descriptions, sampling and streaming options, the message roles and shapes, the plan agent's
// <system-reminder>, and the session headers. Prose (system prompt, tool descriptions) is not
// compared. LLM_REQUESTS_DUMP=<file> writes the facts and the raw requests of both for a closer look.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../support/git.js";
import { opencodeAvailable } from "../support/opencode-binary.js";
import { referenceConfig } from "../support/reference-config.js";
import { startScriptedLlm, type ChatRequest, type ScriptedLlm } from "../support/scripted-llm.js";
import { jsonInit, startTestServer, type TestServer } from "../support/server.js";
import { startUpstreamServer, type UpstreamServer } from "../support/upstream-server.js";

type Part = Record<string, unknown>;
interface Step {
  /** A prompt (parts, agent) or a summarize call. */
  parts?: Part[];
  agent?: string;
  summarize?: true;
}
interface Scenario {
  name: string;
  /** The kinds of request upstream makes for it (so that a scenario nobody recorded cannot pass). */
  kinds: string[];
  steps: (repo: string) => Step[];
}

const text = (t: string): Part => ({ type: "text", text: t });
const KINDS = ["agent turn", "title"];
const SCENARIOS: Scenario[] = [
  { name: "text, then a second turn", kinds: KINDS, steps: () => [{ parts: [text("hello")] }, { parts: [text("hello again")] }] },
  { name: "reasoning, then a second turn", kinds: KINDS, steps: () => [{ parts: [text("think")] }, { parts: [text("and then?")] }] },
  { name: "plan agent", kinds: KINDS, steps: () => [{ parts: [text("hello plan")], agent: "plan" }] },
  { name: "bash tool call and follow-up", kinds: KINDS, steps: () => [{ parts: [text("use bash")] }] },
  { name: "sub-agent", kinds: [...KINDS, "sub-agent"], steps: () => [{ parts: [text("use task")] }] },
  { name: "bad tool call", kinds: KINDS, steps: () => [{ parts: [text("bad tool")] }] },
  { name: "summarize", kinds: [...KINDS, "summary"], steps: () => [{ parts: [text("hello")] }, { summarize: true }] },
  {
    name: "file part",
    kinds: KINDS,
    steps: (repo) => [
      {
        parts: [
          text("look at this file"),
          { type: "file", mime: "text/plain", filename: "README.md", url: `file://${path.join(repo, "README.md")}` },
        ],
      },
    ],
  },
];

/** One side of the comparison: a server, its repo and the model it talks to. */
interface Side {
  url: string;
  repo: string;
  llm: ScriptedLlm;
  /** Scenario name -> the top-level session ids it used. */
  sessions: Map<string, string>;
}

async function call(side: Side, route: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${side.url}${route}`, jsonInit("POST", body));
  const answer = await res.text();
  if (!res.ok) throw new Error(`${route} -> ${res.status}: ${answer}`);
  return answer ? JSON.parse(answer) : undefined;
}

async function play(side: Side, scenario: Scenario): Promise<void> {
  const session = (await call(side, "/session", {})) as { id: string };
  side.sessions.set(scenario.name, session.id);
  for (const step of scenario.steps(side.repo)) {
    if (step.summarize) await call(side, `/session/${session.id}/summarize`, { providerID: "fake", modelID: "fake-model" });
    else await call(side, `/session/${session.id}/message`, { parts: step.parts, ...(step.agent ? { agent: step.agent } : {}) });
  }
}

/** Waits until the model has had no request for `quietMs` (titles are made in the background). */
async function settle(llm: ScriptedLlm, quietMs = 1500): Promise<void> {
  let seen = -1;
  while (seen !== llm.requests.length) {
    seen = llm.requests.length;
    await new Promise((r) => setTimeout(r, quietMs));
  }
}

const contentText = (content: unknown): string =>
  typeof content === "string" ? content : Array.isArray(content) ? content.map((c) => String((c as Part)?.text ?? "")).join("") : "";
const systemText = (r: ChatRequest) =>
  r.body.messages
    .filter((m) => m.role === "system")
    .map((m) => contentText(m.content))
    .join("\n");

function kindOf(r: ChatRequest, topSession: string): string {
  // Upstream's and our system prompts differ in wording; both name the title task, and only titles and summaries go without tools.
  if (!r.body.tools) return /\btitle\b/i.test(systemText(r)) ? "title" : "summary";
  return r.headers["x-session-id"] === topSession ? "agent turn" : "sub-agent";
}

/** A JSON Schema without any `description` keyword (a property named "description" stays). */
function withoutDescriptions(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDescriptions);
  if (!schema || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "description") continue;
    if (key === "properties" && value && typeof value === "object")
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutDescriptions(v)]));
    else out[key] = withoutDescriptions(value);
  }
  return out;
}

/** The normalised facts of one model request. */
function factsOf(r: ChatRequest, topSession: string) {
  const b = r.body as ChatRequest["body"] & { tools?: { function: { name: string; parameters?: unknown } }[] };
  const tools = ((b.tools ?? []) as { function: { name: string; parameters?: unknown } }[])
    .map((t) => t.function)
    .sort((x, y) => x.name.localeCompare(y.name));
  const lastUser = [...b.messages].reverse().find((m) => m.role === "user");
  const h = r.headers;
  return {
    tools: tools.map((t) => t.name),
    schemas: Object.fromEntries(tools.map((t) => [t.name, withoutDescriptions(t.parameters)])),
    tool_choice: b.tool_choice,
    max_tokens: b.max_tokens,
    temperature: b.temperature,
    top_p: b.top_p,
    reasoning_effort: b.reasoning_effort,
    stream: b.stream,
    stream_options: b.stream_options,
    roles: b.messages.map((m) => m.role),
    /** Each message's keys, content shape (a string, or its parts' types) and its tool calls' keys. */
    shapes: b.messages.map((m) => {
      const content = typeof m.content === "string" ? "string" : Array.isArray(m.content) ? m.content.map((c: Part) => c.type) : m.content;
      const calls = (m as { tool_calls?: Part[] }).tool_calls?.map((c) => [...Object.keys(c), ...Object.keys(c.function ?? {})].sort());
      return { keys: Object.keys(m).sort(), content, ...(calls ? { calls } : {}) };
    }),
    bodyKeys: Object.keys(b).sort(),
    systemReminderInLastUser: JSON.stringify(lastUser?.content ?? "").includes("<system-reminder>"),
    headers: {
      "x-session-id": h["x-session-id"] === undefined ? "absent" : h["x-session-id"] === topSession ? "the session" : "another session",
      "x-session-affinity": h["x-session-affinity"] === h["x-session-id"] ? "= x-session-id" : String(h["x-session-affinity"]),
      "x-parent-session-id":
        h["x-parent-session-id"] === undefined ? "absent" : h["x-parent-session-id"] === topSession ? "the session" : "another",
      // The rest of the user agent names the AI SDK packages and the runtime (bun upstream, Node here).
      "user-agent product": String(h["user-agent"] ?? "").split(" ")[0],
      /** The headers a client chooses (not those the runtime's fetch adds: accept-language, sec-fetch-mode, ...). */
      names: Object.keys(h)
        .filter((k) => k.startsWith("x-") || ["authorization", "content-type", "user-agent"].includes(k))
        .sort(),
    },
  };
}
type Facts = ReturnType<typeof factsOf>;

/** Scenario -> kind -> the facts of its requests in order. */
function grouped(side: Side): Record<string, Record<string, Facts[]>> {
  const out: Record<string, Record<string, Facts[]>> = {};
  for (const [name, id] of side.sessions) {
    const kinds: Record<string, Facts[]> = {};
    for (const r of side.llm.requests) {
      if (r.headers["x-session-id"] !== id && r.headers["x-parent-session-id"] !== id) continue;
      (kinds[kindOf(r, id)] ??= []).push(factsOf(r, id));
    }
    out[name] = kinds;
  }
  return out;
}

/** Every leaf where the two differ, as "path: upstream → ours". */
function diff(upstream: unknown, ours: unknown, at = ""): string[] {
  // A list of plain values (tool names, roles, keys) is one fact; objects and lists of objects are compared leaf by leaf.
  const isObj = (v: unknown): v is Record<string, unknown> =>
    !!v && typeof v === "object" && !(Array.isArray(v) && v.every((x) => !x || typeof x !== "object"));
  if (isObj(upstream) && isObj(ours)) {
    const keys = [...new Set([...Object.keys(upstream), ...Object.keys(ours)])];
    return keys.flatMap((k) => diff(upstream[k], ours[k], at ? `${at}.${k}` : k));
  }
  return JSON.stringify(upstream) === JSON.stringify(ours)
    ? []
    : [`${at}: upstream ${JSON.stringify(upstream)} → ours ${JSON.stringify(ours)}`];
}

const available = opencodeAvailable();
let upstreamServer: UpstreamServer | undefined;
let ourServer: TestServer | undefined;
let llms: ScriptedLlm[] = [];
let upstream: Side;
let ours: Side;
let facts: { upstream: ReturnType<typeof grouped>; ours: ReturnType<typeof grouped> };

describe.skipIf(!available)("model requests: this server against opencode serve", () => {
  beforeAll(async () => {
    llms = await Promise.all([startScriptedLlm(), startScriptedLlm()]);
    const [upLlm, ourLlm] = llms as [ScriptedLlm, ScriptedLlm];
    const upRepo = makeRepo("llm-requests-upstream").dir;
    const ourRepo = makeRepo("llm-requests-ours").dir;
    upstreamServer = await startUpstreamServer(upRepo, referenceConfig(upLlm.url));
    writeFileSync(path.join(ourRepo, "opencode.json"), JSON.stringify(referenceConfig(ourLlm.url)));
    ourServer = await startTestServer({ projectDirectory: ourRepo });
    upstream = { url: upstreamServer.url, repo: upRepo, llm: upLlm, sessions: new Map() };
    ours = { url: ourServer.url, repo: ourRepo, llm: ourLlm, sessions: new Map() };
    for (const scenario of SCENARIOS) await Promise.all([play(upstream, scenario), play(ours, scenario)]);
    await Promise.all([settle(upLlm), settle(ourLlm)]);
    facts = { upstream: grouped(upstream), ours: grouped(ours) };
    if (process.env.LLM_REQUESTS_DUMP)
      writeFileSync(
        process.env.LLM_REQUESTS_DUMP,
        JSON.stringify({ facts, raw: { upstream: upLlm.requests, ours: ourLlm.requests } }, null, 1),
      );
  }, 240_000);

  afterAll(async () => {
    await upstreamServer?.stop();
    await ourServer?.close();
    await Promise.all(llms.map((llm) => llm.stop()));
  });

  for (const scenario of SCENARIOS)
    it(`sends the model the same requests: ${scenario.name}`, () => {
      expect(Object.keys(facts.upstream[scenario.name] ?? {}).sort()).toEqual([...scenario.kinds].sort());
      const differences = diff(facts.upstream[scenario.name], facts.ours[scenario.name]);
      if (differences.length) console.log(`${scenario.name}:\n  ${differences.join("\n  ")}`);
      expect(differences).toEqual([]);
    });
});
