// The real opencode TUI (`opencode attach URL`) in tmux against this server, driven with keys and
// read from the screen: the start screen, a streamed reply, a tool's output, a permission dialog
// answered "Allow once", a question answered, Esc Esc interrupting a slow command, the session
// list, and the catalogue in /models and /connect. A logging proxy between them records every call the TUI makes: none may fail.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeProvider, startLlmProject } from "../support/llm-project.js";
import { startLoggingProxy, type LoggingProxy } from "../support/logging-proxy.js";
import { OPENCODE_BIN, isolatedClientEnv } from "../support/opencode-binary.js";
import type { ScriptedLlm } from "../support/scripted-llm.js";
import type { TestServer } from "../support/server.js";
import { TmuxSession } from "../support/tmux.js";

let llm: ScriptedLlm;
let server: TestServer;
let proxy: LoggingProxy;
let repo: { dir: string };
let tui: TmuxSession;

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("tui"));
  // A named model, and edits that need a yes, so the permission dialog shows.
  const config = {
    model: "fake/m",
    provider: { fake: { ...fakeProvider(llm.url), models: { m: { name: "Fake Model" } } } },
    permission: { edit: "ask" },
  };
  writeFileSync(path.join(repo.dir, "opencode.json"), JSON.stringify(config));
  // An AgentPool manifest: its team is an agent the TUI can pick.
  writeFileSync(
    path.join(repo.dir, "agentpool.yml"),
    "agents:\n  helper:\n    model: fake:m\n    description: Helps out\nteams:\n  crew:\n    mode: parallel\n    members: [helper]\n    description: A crew of one helper\n",
  );
  server.services.configs.invalidate();
  // A key in the environment connects a catalogue provider, as with opencode serve.
  process.env.ANTHROPIC_API_KEY = "sk-ant-test";
  proxy = await startLoggingProxy(server.url);
  tui = new TmuxSession([OPENCODE_BIN, "attach", proxy.url, "--dir", repo.dir], { ...isolatedClientEnv(), PWD: repo.dir });
});
afterAll(async () => {
  tui?.stop();
  await proxy?.close();
  await server?.close();
  await llm?.stop();
  delete process.env.ANTHROPIC_API_KEY;
});

/**
 * Closes the dialog a previous test left open (a dialog's title line ends in "esc"): a busy
 * machine can lose the Escape that closed it, and typing would then go into the dialog.
 */
async function closeDialogs(): Promise<void> {
  for (let i = 0; i < 5 && /esc\s*$/m.test(tui.screen()); i++) {
    tui.keys("Escape");
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  await tui.waitFor((s) => !/esc\s*$/m.test(s), "no dialog open", 10_000);
}

/** The conversation area: what the TUI shows above its prompt box. */
const screenHas = (text: string) => tui.waitForText(text, 30_000);

describe("the opencode TUI attached to this server", () => {
  it("shows the start screen with the agent and the model", async () => {
    const screen = await tui.waitFor((s) => s.includes("Build") && s.includes("Fake Model"), "the agent and model names", 30_000);
    expect(screen).toContain("Ask anything");
  });

  it("streams a typed prompt's reply onto the screen", async () => {
    tui.keys("hello from the tui", "Enter");
    await screenHas("Hello from fake LLM. You said: hello from the tui");
  });

  it("shows a tool call and its output", async () => {
    tui.keys("please use bash", "Enter");
    const screen = await screenHas("Tool finished: hi");
    expect(screen).toContain("echo hi");
  });

  it("asks permission for an edit; Allow once lets the run go on", async () => {
    tui.keys("write file", "Enter");
    await screenHas("Permission required");
    expect(tui.screen()).toContain("Allow once");
    tui.keys("Enter");
    await screenHas("Tool finished: Wrote file successfully.");
    expect(existsSync(path.join(repo.dir, "hello.txt"))).toBe(true);
    expect(readFileSync(path.join(repo.dir, "hello.txt"), "utf8")).toBe("hello world\n");
  });

  it("answers a question dialog", async () => {
    tui.keys("ask question", "Enter");
    await screenHas("Which color?");
    tui.keys("Enter");
    await screenHas('User has answered your questions: "Which color?"="Red"');
  });

  it("interrupts a slow command with Esc Esc", async () => {
    // The TUI gives the prompt its focus back a moment after a dialog closes.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    tui.keys("slow bash", "Enter");
    await screenHas("sleep 20");
    tui.keys("Escape");
    await new Promise((resolve) => setTimeout(resolve, 300));
    tui.keys("Escape");
    await screenHas("interrupted");
  });

  it("lists the sessions with /sessions", async () => {
    tui.keys("/sessions");
    await new Promise((resolve) => setTimeout(resolve, 500));
    tui.keys("Enter");
    await screenHas("Fake Title");
    tui.keys("Escape");
  });

  it("offers the catalogue: /models lists a key's provider's models, /connect every provider", async () => {
    await closeDialogs();
    tui.keys("/models");
    await new Promise((resolve) => setTimeout(resolve, 500));
    tui.keys("Enter");
    await screenHas("Select model");
    tui.keys("sonnet 4.6");
    await screenHas("Claude Sonnet 4.6");
    tui.keys("Escape");
    await new Promise((resolve) => setTimeout(resolve, 500));
    tui.keys("/connect");
    await new Promise((resolve) => setTimeout(resolve, 500));
    tui.keys("Enter");
    tui.keys("openrouter");
    await screenHas("OpenRouter");
    tui.keys("Escape");
  }, 90_000);

  it("offers a manifest's team in the agent list", async () => {
    await closeDialogs();
    tui.keys("/agents");
    await new Promise((resolve) => setTimeout(resolve, 500));
    tui.keys("Enter");
    tui.keys("crew");
    await screenHas("A crew of one helper");
    tui.keys("Escape");
  }, 60_000);

  it("made no call that failed", () => {
    const failed = proxy.calls.filter((c) => c.status >= 400);
    expect(failed).toEqual([]);
    // It read the v2 catalog at start, as the reference TUI does.
    for (const route of ["/api/location", "/api/agent", "/api/model", "/api/provider", "/api/command", "/api/skill", "/global/event"])
      expect(
        proxy.calls.some((c) => c.url.startsWith(route)),
        route,
      ).toBe(true);
  });
});
