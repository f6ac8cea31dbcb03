// One external agent process speaking the Agent Client Protocol over its stdio. The process can
// hold several ACP sessions; what the agent asks of its client (permission, files, terminals)
// and the updates it streams are routed to the handler registered for that ACP session.
import { spawn, type ChildProcess } from "node:child_process";
import { Readable, Writable } from "node:stream";
import * as acp from "@agentclientprotocol/sdk";

/** What an OpenCode session's turn answers for the ACP session it drives. */
export interface AcpSessionHandler {
  update(update: acp.SessionUpdate): void;
  requestPermission(request: acp.RequestPermissionRequest): Promise<acp.RequestPermissionResponse>;
  readTextFile(request: acp.ReadTextFileRequest): Promise<acp.ReadTextFileResponse>;
  writeTextFile(request: acp.WriteTextFileRequest): Promise<acp.WriteTextFileResponse>;
  createTerminal(request: acp.CreateTerminalRequest): Promise<acp.CreateTerminalResponse>;
  terminalOutput(request: acp.TerminalOutputRequest): Promise<acp.TerminalOutputResponse>;
  waitForTerminalExit(request: acp.WaitForTerminalExitRequest): Promise<acp.WaitForTerminalExitResponse>;
  killTerminal(request: acp.KillTerminalRequest): Promise<acp.KillTerminalResponse>;
  releaseTerminal(request: acp.ReleaseTerminalRequest): Promise<acp.ReleaseTerminalResponse>;
}

/** The process ended (or could not start): every turn it was running fails with this. */
export class AcpProcessExited extends Error {}

const STDERR_TAIL_BYTES = 2_000;
const EXIT_REPORT_WAIT_MS = 1_000;

export class AcpProcess {
  private readonly child: ChildProcess;
  private readonly connection: acp.ClientConnection;
  private readonly handlers = new Map<string, AcpSessionHandler>();
  private stderrTail = "";
  private ready: Promise<void>;
  /** Rejects with AcpProcessExited when the process ends. */
  readonly exited: Promise<never>;
  alive = true;

  constructor(
    readonly name: string,
    command: string[],
    options: { cwd: string; env?: Record<string, string> },
  ) {
    const [program, ...args] = command;
    this.child = spawn(program!, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stderr!.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-STDERR_TAIL_BYTES);
    });
    this.exited = new Promise<never>((_, reject) => {
      const fail = (why: string) => {
        this.alive = false;
        const stderr = this.stderrTail.trim();
        reject(new AcpProcessExited(`ACP agent ${name} ${why}${stderr ? `: ${stderr.split("\n").slice(-3).join(" | ")}` : ""}`));
      };
      this.child.once("error", (error) => fail(`could not start (${error.message})`));
      this.child.once("exit", (code, signal) => fail(`exited (${signal ? `signal ${signal}` : `code ${code}`})`));
    });
    this.exited.catch(() => undefined);
    const stream = acp.ndJsonStream(
      Writable.toWeb(this.child.stdin!) as WritableStream<Uint8Array>,
      Readable.toWeb(this.child.stdout!) as ReadableStream<Uint8Array>,
    );
    this.connection = this.clientApp().connect(stream);
    this.ready = this.untilExit(
      this.connection.agent.request(acp.methods.agent.initialize, {
        protocolVersion: acp.PROTOCOL_VERSION,
        clientCapabilities: { fs: { readTextFile: true, writeTextFile: true }, terminal: true },
        clientInfo: { name: "agentpool-server", version: "0.1.0" },
      }),
    ).then(() => undefined);
    this.ready.catch(() => undefined);
  }

  private handlerOf(sessionId: string): AcpSessionHandler {
    const handler = this.handlers.get(sessionId);
    if (!handler) throw acp.RequestError.invalidParams(undefined, `Unknown session ${sessionId}`);
    return handler;
  }

  private clientApp(): acp.ClientApp {
    const m = acp.methods.client;
    return acp
      .client({ name: "agentpool-server" })
      .onNotification(m.session.update, ({ params }) => this.handlers.get(params.sessionId)?.update(params.update))
      .onRequest(m.session.requestPermission, ({ params }) => this.handlerOf(params.sessionId).requestPermission(params))
      .onRequest(m.fs.readTextFile, ({ params }) => this.handlerOf(params.sessionId).readTextFile(params))
      .onRequest(m.fs.writeTextFile, ({ params }) => this.handlerOf(params.sessionId).writeTextFile(params))
      .onRequest(m.terminal.create, ({ params }) => this.handlerOf(params.sessionId).createTerminal(params))
      .onRequest(m.terminal.output, ({ params }) => this.handlerOf(params.sessionId).terminalOutput(params))
      .onRequest(m.terminal.waitForExit, ({ params }) => this.handlerOf(params.sessionId).waitForTerminalExit(params))
      .onRequest(m.terminal.kill, ({ params }) => this.handlerOf(params.sessionId).killTerminal(params))
      .onRequest(m.terminal.release, ({ params }) => this.handlerOf(params.sessionId).releaseTerminal(params));
  }

  /** A request's answer, or AcpProcessExited if the process ends first (a crash never hangs a turn). */
  private async untilExit<T>(work: Promise<T>): Promise<T> {
    try {
      return await Promise.race([work, this.exited]);
    } catch (error) {
      // The pipe closes just before the exit is reported: prefer the exit's clearer message.
      const settled = new Promise<void>((resolve) => setTimeout(resolve, EXIT_REPORT_WAIT_MS).unref());
      await Promise.race([this.exited, settled]).catch((exit: unknown) => {
        throw exit;
      });
      throw error;
    }
  }

  async newSession(cwd: string): Promise<string> {
    await this.ready;
    const { sessionId } = await this.untilExit(this.connection.agent.request(acp.methods.agent.session.new, { cwd, mcpServers: [] }));
    return sessionId;
  }

  /** Runs one prompt turn of an ACP session; `handler` gets what the agent streams and asks meanwhile. */
  async prompt(sessionId: string, prompt: acp.ContentBlock[], handler: AcpSessionHandler): Promise<acp.PromptResponse> {
    this.handlers.set(sessionId, handler);
    try {
      return await this.untilExit(this.connection.agent.request(acp.methods.agent.session.prompt, { sessionId, prompt }));
    } finally {
      this.handlers.delete(sessionId);
    }
  }

  async cancel(sessionId: string): Promise<void> {
    if (this.alive) await this.connection.agent.notify(acp.methods.agent.session.cancel, { sessionId }).catch(() => undefined);
  }

  stop(): void {
    this.alive = false;
    this.connection.close();
    this.child.kill("SIGTERM");
  }
}
