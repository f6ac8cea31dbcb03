// A language server process and the start of a conversation with it: the LSP `initialize`
// handshake over stdio (Content-Length framed JSON-RPC). A server that answers is connected; one
// that cannot start, exits, or answers with an error is in error.
import { spawn, type ChildProcess } from "node:child_process";
import { pathToFileURL } from "node:url";

export type LspState = "starting" | "connected" | "error";

export interface LspServerConfig {
  command: string[];
  env?: Record<string, string>;
  initialization?: Record<string, unknown>;
}

/** How long a server may take to answer `initialize` before it counts as broken. */
const INITIALIZE_LIMIT_MS = 30_000;

function frame(message: Record<string, unknown>): string {
  const body = JSON.stringify({ jsonrpc: "2.0", ...message });
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** Splits a stdout byte stream into JSON-RPC messages. */
function readMessages(onMessage: (message: Record<string, unknown>) => void): (chunk: Buffer) => void {
  let buffer = Buffer.alloc(0);
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const headerEnd = buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(buffer.subarray(0, headerEnd).toString("ascii"))?.[1]);
      if (!Number.isFinite(length)) {
        buffer = buffer.subarray(headerEnd + 4);
        continue;
      }
      if (buffer.length < headerEnd + 4 + length) return;
      const body = buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString("utf8");
      buffer = buffer.subarray(headerEnd + 4 + length);
      try {
        onMessage(JSON.parse(body) as Record<string, unknown>);
      } catch {
        // A malformed message is skipped; the server stays usable.
      }
    }
  };
}

export class LspClient {
  state: LspState = "starting";
  /** Why the server is in error. */
  problem: string | undefined;
  private child: ChildProcess | undefined;
  readonly ready: Promise<void>;

  constructor(
    readonly id: string,
    readonly root: string,
    config: LspServerConfig,
  ) {
    this.ready = this.start(config);
  }

  private start(config: LspServerConfig): Promise<void> {
    return new Promise<void>((resolve) => {
      const settle = (state: LspState, problem?: string) => {
        if (this.state !== "starting") return;
        clearTimeout(timer);
        this.state = state;
        this.problem = problem;
        resolve();
      };
      const timer = setTimeout(() => settle("error", "no answer to initialize"), INITIALIZE_LIMIT_MS);
      const [program, ...args] = config.command;
      const child = spawn(program!, args, { cwd: this.root, env: { ...process.env, ...config.env }, stdio: ["pipe", "pipe", "ignore"] });
      this.child = child;
      child.on("error", (error) => {
        // A program that could not start has no process to stop.
        if (child.pid === undefined) this.child = undefined;
        settle("error", error.message);
      });
      child.on("exit", (code) => {
        this.child = undefined;
        if (this.state === "starting") settle("error", `exited with code ${code}`);
        else if (this.state === "connected") {
          this.state = "error";
          this.problem = `exited with code ${code}`;
        }
      });
      child.stdin!.on("error", () => {});
      child.stdout!.on(
        "data",
        readMessages((message) => {
          if (message.id !== 1) return;
          if (message.error) return settle("error", String((message.error as { message?: unknown }).message ?? "initialize failed"));
          child.stdin!.write(frame({ method: "initialized", params: {} }));
          settle("connected");
        }),
      );
      const rootUri = pathToFileURL(this.root).href;
      child.stdin!.write(
        frame({
          id: 1,
          method: "initialize",
          params: {
            processId: process.pid,
            rootUri,
            workspaceFolders: [{ uri: rootUri, name: "workspace" }],
            capabilities: {},
            initializationOptions: config.initialization ?? {},
          },
        }),
      );
    });
  }

  /** Asks the server to stop (shutdown, exit) and makes sure the process ends. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.stdin!.write(frame({ id: 2, method: "shutdown", params: null }));
    child.stdin!.write(frame({ method: "exit", params: null }));
    child.stdin!.end();
    const killer = setTimeout(() => child.kill("SIGKILL"), 2_000);
    await exited;
    clearTimeout(killer);
  }
}
