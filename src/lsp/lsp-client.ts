// A language server process and a conversation with it over stdio (Content-Length framed
// JSON-RPC): the `initialize` handshake, then requests such as workspace/symbol. A server that
// answers is connected; one that cannot start, exits, or answers with an error is in error.
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

/** How long a request may take before it is given up. */
const REQUEST_LIMIT_MS = 10_000;

export class LspClient {
  state: LspState = "starting";
  /** Why the server is in error. */
  problem: string | undefined;
  private child: ChildProcess | undefined;
  readonly ready: Promise<void>;
  /** Requests after the handshake, by id, waiting for their answer. */
  private readonly waiting = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  private nextID = 10;

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
          const waiter = typeof message.id === "number" ? this.waiting.get(message.id) : undefined;
          if (waiter) {
            this.waiting.delete(message.id as number);
            if (message.error) waiter.reject(new Error(String((message.error as { message?: unknown }).message ?? "request failed")));
            else waiter.resolve(message.result);
            return;
          }
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

  /** Sends a request to a connected server; rejects on its error, or when it does not answer in time. */
  request(method: string, params: unknown): Promise<unknown> {
    const child = this.child;
    if (this.state !== "connected" || !child) return Promise.reject(new Error(`language server ${this.id} is not connected`));
    const id = this.nextID++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`language server ${this.id} did not answer ${method}`));
      }, REQUEST_LIMIT_MS);
      this.waiting.set(id, {
        resolve: (result) => (clearTimeout(timer), resolve(result)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      child.stdin!.write(frame({ id, method, params }));
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
