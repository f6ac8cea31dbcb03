// What the model receives besides the user's words, end to end against a scripted OpenAI-compatible
// LLM: the instruction files in the system prompt, upstream's plan-mode reminders, attached files
// as read results, tool-call-only history with empty content, and the title request's structure
// (never sent for a session whose title the client chose). HOME and XDG folders are isolated.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_SWITCH_REMINDER, PLAN_MODE_REMINDER, TITLE_INSTRUCTION } from "../../src/agent/llm/system-prompt.js";
import { makeRepo } from "../support/git.js";
import { fakeProvider } from "../support/llm-project.js";
import { startScriptedLlm, type ChatRequest, type ScriptedLlm } from "../support/scripted-llm.js";
import { jsonInit, startTestServer, type TestServer } from "../support/server.js";
import { makeTempDir } from "../support/temp.js";

type Part = { id: string; type: string; text?: string; synthetic?: boolean; mime?: string; url?: string };
type Reply = { info: { id: string; role: string; finish?: string }; parts: Part[] };
type Content = string | { type: string; text?: string; image_url?: { url: string } }[];

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string };
let home: string;

function write(file: string, text: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

beforeAll(async () => {
  home = makeTempDir("home");
  process.env.HOME = home;
  process.env.XDG_CONFIG_HOME = path.join(home, ".config");
  llm = await startScriptedLlm();
  repo = makeRepo("context");
  write(path.join(repo.dir, "AGENTS.md"), "Project rule: keep functions short.\n");
  write(path.join(repo.dir, "CLAUDE.md"), "Claude rule: not read when AGENTS.md exists.\n");
  write(path.join(repo.dir, "docs", "style.md"), "Style rule: two spaces.\n");
  write(path.join(home, ".config", "opencode", "AGENTS.md"), "Global rule: answer in English.\n");
  const provider = { ...fakeProvider(llm.url), models: { m: { reasoning: true } } };
  const config = { model: "fake/m", provider: { fake: provider }, instructions: ["docs/*.md", "https://example.com/rules.md"] };
  write(path.join(repo.dir, "opencode.json"), JSON.stringify(config));
  server = await startTestServer({ projectDirectory: repo.dir });
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

async function newSession(title?: string): Promise<string> {
  const res = await server.fetch(`/session?directory=${encodeURIComponent(repo.dir)}`, jsonInit("POST", title ? { title } : {}));
  return ((await res.json()) as { id: string }).id;
}

async function prompt(sessionID: string, parts: unknown[], extra: Record<string, unknown> = {}): Promise<Reply> {
  const res = await server.fetch(`/session/${sessionID}/message`, jsonInit("POST", { parts, ...extra }));
  expect(res.status).toBe(200);
  return (await res.json()) as Reply;
}

const text = (value: string) => [{ type: "text", text: value }];
const isTitle = (r: ChatRequest) => /title of a conversation/.test(String(r.body.messages[0]?.content));
const requestsOf = (sessionID: string) => llm.requests.filter((r) => r.headers["x-session-id"] === sessionID && !isTitle(r));
const titleRequestsOf = (sessionID: string) => llm.requests.filter((r) => r.headers["x-session-id"] === sessionID && isTitle(r));
const texts = (content: unknown) =>
  typeof content === "string" ? [content] : (content as { text?: string }[]).flatMap((c) => (c.text ? [c.text] : []));
const lastUser = (request: ChatRequest) => request.body.messages.findLast((m) => m.role === "user")!;

async function messages(sessionID: string): Promise<Reply[]> {
  return (await (await server.fetch(`/session/${sessionID}/message`)).json()) as Reply[];
}

async function title(sessionID: string): Promise<string> {
  return ((await (await server.fetch(`/session/${sessionID}`)).json()) as { title: string }).title;
}

describe("instructions in the system prompt", () => {
  it("sends the project AGENTS.md, the global AGENTS.md and the config's instruction files, each after its path", async () => {
    const sessionID = await newSession();
    await prompt(sessionID, text("hello there"));
    const system = String(requestsOf(sessionID)[0]!.body.messages[0]!.content);
    const sections = [
      `Instructions from: ${path.join(repo.dir, "AGENTS.md")}\nProject rule: keep functions short.\n`,
      `Instructions from: ${path.join(home, ".config", "opencode", "AGENTS.md")}\nGlobal rule: answer in English.\n`,
      `Instructions from: ${path.join(repo.dir, "docs", "style.md")}\nStyle rule: two spaces.\n`,
    ];
    const at = sections.map((section) => system.indexOf(section));
    expect(at.every((i) => i > system.indexOf("</env>"))).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(system).not.toContain("Claude rule");
    expect(system).not.toContain("example.com");
    expect(server.logLines().some((l) => JSON.stringify(l.urls) === '["https://example.com/rules.md"]')).toBe(true);
  });
});

describe("plan-mode reminders", () => {
  it("adds the plan reminder to the last user message for the plan agent, and the switch reminder back in build, without storing them", async () => {
    const sessionID = await newSession();
    await prompt(sessionID, text("how would we add a cache?"), { agent: "plan" });
    const planned = requestsOf(sessionID).at(-1)!;
    expect(texts(lastUser(planned).content)).toEqual(["how would we add a cache?", PLAN_MODE_REMINDER]);
    expect(PLAN_MODE_REMINDER).toMatch(/^<system-reminder>[\s\S]*plan mode[\s\S]*<\/system-reminder>$/);

    await prompt(sessionID, text("go ahead"), { agent: "build" });
    const built = requestsOf(sessionID).at(-1)!;
    const users = built.body.messages.filter((m) => m.role === "user");
    expect(texts(users[0]!.content)).toEqual(["how would we add a cache?"]);
    expect(texts(users[1]!.content)).toEqual(["go ahead", BUILD_SWITCH_REMINDER]);

    await prompt(sessionID, text("and the tests"), { agent: "build" });
    expect(texts(lastUser(requestsOf(sessionID).at(-1)!).content)).toEqual(["and the tests"]);

    const stored = await messages(sessionID);
    const userTexts = stored.filter((m) => m.info.role === "user").flatMap((m) => m.parts.map((p) => p.text));
    expect(userTexts).toEqual(["how would we add a cache?", "go ahead", "and the tests"]);
  });

  it("keeps the plan reminder on every step of a plan turn", async () => {
    const sessionID = await newSession();
    await prompt(sessionID, text("please read file hello.txt"), { agent: "plan" });
    const requests = requestsOf(sessionID);
    expect(requests).toHaveLength(2);
    for (const request of requests) expect(texts(lastUser(request).content).at(-1)).toBe(PLAN_MODE_REMINDER);
  });
});

describe("attached files", () => {
  it("stores a text file, a folder and an image as upstream does and sends their content", async () => {
    const readme = path.join(repo.dir, "README.md");
    const docs = path.join(repo.dir, "docs");
    const image = path.join(repo.dir, "dot.png");
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");
    write(image, png);
    const sessionID = await newSession();
    const reply = await prompt(sessionID, [
      { type: "text", text: "look at these" },
      { type: "file", mime: "text/plain", filename: "README.md", url: `file://${readme}` },
      { type: "file", mime: "text/plain", filename: "docs", url: `file://${docs}` },
      { type: "file", mime: "image/png", filename: "dot.png", url: `file://${image}` },
    ]);
    expect(reply.info.finish).toBe("stop");
    const user = (await messages(sessionID))[0]!;
    const call = (file: string) => `Called the Read tool with the following input: {"filePath":"${file}"}`;
    expect(user.parts.map((p) => [p.type, p.synthetic ?? false, p.text ?? p.mime])).toEqual([
      ["text", false, "look at these"],
      ["text", true, call(readme)],
      ["text", true, `<path>${readme}</path>\n<type>file</type>\n<content>\n1: # context\n\n(End of file - total 1 lines)\n</content>`],
      ["file", false, "text/plain"],
      ["text", true, call(docs)],
      ["text", true, `<path>${docs}</path>\n<type>directory</type>\n<entries>\nstyle.md\n</entries>`],
      ["file", false, "application/x-directory"],
      ["text", true, call(image)],
      ["file", false, "image/png"],
    ]);
    const dataUrl = `data:image/png;base64,${png.toString("base64")}`;
    expect(user.parts.at(-1)!.url).toBe(dataUrl);

    const content = lastUser(requestsOf(sessionID)[0]!).content as Exclude<Content, string>;
    expect(content.map((c) => c.type)).toEqual(["text", "text", "text", "text", "text", "text", "image_url"]);
    expect(content.at(-1)!.image_url!.url).toBe(dataUrl);
  });

  it("stores a failed read as its error, without the file part", async () => {
    const missing = path.join(repo.dir, "missing.txt");
    const sessionID = await newSession();
    await prompt(sessionID, [
      { type: "text", text: "look" },
      { type: "file", mime: "text/plain", filename: "missing.txt", url: `file://${missing}` },
    ]);
    const user = (await messages(sessionID))[0]!;
    expect(user.parts.map((p) => p.type)).toEqual(["text", "text", "text"]);
    expect(user.parts[2]!.text).toMatch(new RegExp(`^Read tool failed to read ${missing} with the following error: `));
  });
});

describe("history", () => {
  it("sends an assistant message of tool calls only with empty content, as upstream", async () => {
    const sessionID = await newSession();
    const reply = await prompt(sessionID, text("please use bash to say hi"));
    expect(reply.parts.find((p) => p.type === "text")?.text).toBe("Tool finished: hi\n");
    const after = requestsOf(sessionID)[1]!;
    expect(after.body.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool"]);
    const assistant = after.body.messages[2] as unknown as { content: unknown; tool_calls: { function: { name: string } }[] };
    expect(assistant.content).toBe("");
    expect(assistant.tool_calls.map((c) => c.function.name)).toEqual(["bash"]);
  });
});

describe("titles", () => {
  it("asks for a title with a system prompt, an instruction, then the conversation, at low reasoning effort", async () => {
    const sessionID = await newSession();
    await prompt(sessionID, text("hello there"));
    await expect.poll(() => title(sessionID), { timeout: 5_000 }).toBe("Fake Title");
    const [request, ...others] = titleRequestsOf(sessionID);
    expect(others).toEqual([]);
    expect(request!.body.messages.map((m) => m.role)).toEqual(["system", "user", "user"]);
    expect(request!.body.messages[1]!.content).toBe(TITLE_INSTRUCTION);
    expect(request!.body.messages[2]!.content).toBe("hello there");
    expect(request!.body).toMatchObject({ reasoning_effort: "low", stream: true });
    expect(request!.body.tools).toBeUndefined();

    // Later prompts leave the title alone.
    await prompt(sessionID, text("and again"));
    expect(titleRequestsOf(sessionID)).toHaveLength(1);
  });

  it("never replaces a title the client chose", async () => {
    const sessionID = await newSession("My own title");
    await prompt(sessionID, text("hello there"));
    await new Promise((r) => setTimeout(r, 200));
    expect(titleRequestsOf(sessionID)).toEqual([]);
    expect(await title(sessionID)).toBe("My own title");
  });

  it("keeps a title the client set while the title was being generated", async () => {
    const sessionID = await newSession();
    llm.setScript((request) => (isTitle(request) ? { kind: "text", text: "Slow Title", delayMs: 400 } : undefined));
    try {
      await prompt(sessionID, text("hello there"));
      await server.fetch(`/session/${sessionID}`, jsonInit("PATCH", { title: "Renamed by the client" }));
      await expect.poll(() => titleRequestsOf(sessionID).length).toBe(1);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await title(sessionID)).toBe("Renamed by the client");
    } finally {
      llm.setScript(undefined);
    }
  });
});
