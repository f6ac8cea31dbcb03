// The real opencode TUI (`opencode attach URL`) in tmux against this server: the sidebar's
// "Modified Files" after a turn that writes a file, /undo and /redo. Upstream shows no files
// after the turn (its session.diff events are empty during turns), `hello.txt +1` after /undo
// (the change the undo took back) and still `+1` after /redo.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeProvider, startLlmProject } from "../support/llm-project.js";
import { OPENCODE_BIN, isolatedClientEnv, opencodeAvailable } from "../support/opencode-binary.js";
import type { ScriptedLlm } from "../support/scripted-llm.js";
import type { TestServer } from "../support/server.js";
import { TmuxSession } from "../support/tmux.js";

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string };
let tui: TmuxSession;

/**
 * The sidebar's "Modified Files" entry for hello.txt, as "hello.txt +1" (spaces squeezed), or
 * undefined. (The revert banner in the conversation lists the undo's own change, "hello.txt -1".)
 */
function modifiedHello(screen: string): string | undefined {
  const lines = screen.split("\n");
  const at = lines.findIndex((l) => l.includes("Modified Files"));
  if (at < 0) return undefined;
  const column = lines[at]!.indexOf("Modified Files");
  for (const line of lines.slice(at + 1)) {
    const entry = line.slice(column).match(/^hello\.txt\s+([+-]\d+(\s+-\d+)?)/);
    if (entry) return entry[0].replace(/\s+/g, " ");
  }
  return undefined;
}

describe.skipIf(!opencodeAvailable())("the TUI's Modified Files across /undo and /redo", () => {
  beforeAll(async () => {
    ({ llm, repo, server } = await startLlmProject("tui-undo"));
    const config = { model: "fake/m", provider: { fake: { ...fakeProvider(llm.url), models: { m: { name: "Fake Model" } } } } };
    writeFileSync(path.join(repo.dir, "opencode.json"), JSON.stringify(config));
    server.services.configs.invalidate();
    // Wide enough for the sidebar.
    tui = new TmuxSession(
      [OPENCODE_BIN, "attach", server.url, "--dir", repo.dir],
      { ...isolatedClientEnv(), PWD: repo.dir },
      { width: 180, height: 45 },
    );
  });
  afterAll(async () => {
    tui?.stop();
    await server?.close();
    await llm?.stop();
  });

  it("lists nothing after the turn, hello.txt +1 after /undo, and still +1 after /redo", async () => {
    await tui.waitFor((s) => s.includes("Fake Model"), "the start screen", 30_000);
    tui.keys("please write file hello.txt", "Enter");
    await tui.waitForText("Tool finished: Wrote file successfully.", 30_000);
    const file = path.join(repo.dir, "hello.txt");
    expect(existsSync(file)).toBe(true);
    // The end-of-run summary comes after the reply.
    await new Promise((r) => setTimeout(r, 1500));
    expect(tui.screen()).not.toContain("Modified Files");

    tui.keys("/undo");
    await new Promise((r) => setTimeout(r, 500));
    tui.keys("Enter");
    await tui.waitFor((s) => modifiedHello(s) !== undefined, "hello.txt in Modified Files", 20_000);
    expect(modifiedHello(tui.screen())).toBe("hello.txt +1");
    expect(existsSync(file)).toBe(false);

    // /undo put the prompt's text back into the input: clear it first.
    tui.keys("C-u");
    await new Promise((r) => setTimeout(r, 300));
    tui.keys("/redo");
    await new Promise((r) => setTimeout(r, 500));
    tui.keys("Enter");
    await expect.poll(() => existsSync(file), { timeout: 20_000 }).toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    const screen = await tui.waitFor((s) => !s.includes("message reverted"), "the revert banner gone", 20_000);
    expect(modifiedHello(screen)).toBe("hello.txt +1");
  }, 120_000);
});
