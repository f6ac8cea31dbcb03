// A terminal program driven like a user would: run in a detached tmux session of a fixed size
// (on a private server socket), typed into with send-keys, read with capture-pane.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";

function tmux(socket: string, ...args: string[]): string {
  return execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
}

export class TmuxSession {
  private readonly socket = `agentpool-test-${randomBytes(4).toString("hex")}`;

  /** Starts `command` (argv) with `env` in a new session of width × height. */
  constructor(command: string[], env: Record<string, string>, size = { width: 120, height: 40 }) {
    const exports = Object.entries(env).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    const line = ["env", "-i", ...exports, ...command.map((part) => JSON.stringify(part))].join(" ");
    tmux(this.socket, "new-session", "-d", "-s", "main", "-x", String(size.width), "-y", String(size.height), line);
  }

  /** Sends keys: text is typed as is; tmux key names ("Enter", "Escape", "C-c") as keys. */
  keys(...keys: string[]): void {
    for (const key of keys) {
      if (/^(Enter|Escape|Tab|Up|Down|Left|Right|BSpace|C-[a-z])$/.test(key)) tmux(this.socket, "send-keys", "-t", "main", key);
      else tmux(this.socket, "send-keys", "-t", "main", "-l", key);
    }
  }

  screen(): string {
    return tmux(this.socket, "capture-pane", "-p", "-t", "main");
  }

  /** Waits until the screen satisfies `test`; fails with the last screen when it does not in time. */
  async waitFor(test: (screen: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = "";
    while (Date.now() < deadline) {
      screen = this.screen();
      if (test(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`the screen never showed ${what}; it shows:\n${screen}`);
  }

  waitForText(text: string, timeoutMs?: number): Promise<string> {
    return this.waitFor((screen) => screen.includes(text), JSON.stringify(text), timeoutMs);
  }

  stop(): void {
    try {
      tmux(this.socket, "kill-server");
    } catch {
      // already gone
    }
  }
}
