// What an ACP agent asks of its client, served from the session's project under the same rules
// as OpenCode's own tools: permission requests become permission.asked, files stay inside the
// project (external_directory otherwise), writes take `edit`, terminals take `bash`.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type * as acp from "@agentclientprotocol/sdk";
import { RequestError } from "@agentclientprotocol/sdk";
import { PermissionDeniedError } from "../../permission/permission-service.js";
import { projectRoot, resolvePath } from "../../tool/paths.js";
import type { ToolContext } from "../../tool/tool.js";
import { createId } from "../../id.js";
import type { AcpSessionHandler } from "./acp-process.js";
import { toolInputOf, toolNameOf, type AcpUpdateTranslator } from "./acp-updates.js";

/** The OpenCode permission an ACP tool kind takes, and what its rules match. */
function permissionOf(call: acp.ToolCallUpdate): { permission: string; patterns: string[]; always: string[] } {
  const tool = toolNameOf(call);
  const input = toolInputOf(call);
  if (tool === "bash") {
    const command = String(input.command ?? "");
    return { permission: "bash", patterns: [command], always: [`${command.split(/\s+/)[0]} *`] };
  }
  const file = typeof input.filePath === "string" ? input.filePath : undefined;
  const permission = tool === "read" || tool === "grep" ? "read" : tool === "webfetch" ? "webfetch" : tool === "edit" ? "edit" : tool;
  return { permission, patterns: [file ?? "*"], always: ["*"] };
}

function pickOption(options: acp.PermissionOption[], kinds: acp.PermissionOptionKind[]): acp.RequestPermissionResponse {
  const option = kinds.map((kind) => options.find((o) => o.kind === kind)).find(Boolean);
  return option ? { outcome: { outcome: "selected", optionId: option.optionId } } : { outcome: { outcome: "cancelled" } };
}

/** Errors of our rules reach the agent as JSON-RPC errors with the reason, as a tool error would. */
function refused(error: unknown): never {
  throw RequestError.invalidRequest(undefined, error instanceof Error ? error.message : String(error));
}

interface RunningTerminal {
  child: ChildProcess;
  output: string;
  truncated: boolean;
  limit: number;
  exit: Promise<acp.TerminalExitStatus>;
  exitStatus?: acp.TerminalExitStatus;
}

const DEFAULT_OUTPUT_LIMIT = 1_000_000;

export class AcpClientRequests implements AcpSessionHandler {
  private readonly terminals = new Map<string, RunningTerminal>();

  constructor(
    private readonly translator: AcpUpdateTranslator,
    /** The tool context of a call (or of a request that belongs to no call). */
    private readonly contextOf: (callID: string | undefined) => ToolContext,
  ) {}

  update(update: acp.SessionUpdate): void {
    this.translator.update(update);
  }

  async requestPermission(request: acp.RequestPermissionRequest): Promise<acp.RequestPermissionResponse> {
    this.translator.ensureCall(request.toolCall);
    const ctx = this.contextOf(request.toolCall.toolCallId);
    try {
      await ctx.ask({
        ...permissionOf(request.toolCall),
        metadata: { ...toolInputOf(request.toolCall), title: request.toolCall.title ?? "" },
      });
      return pickOption(request.options, ["allow_once", "allow_always"]);
    } catch (error) {
      if (ctx.signal.aborted) return { outcome: { outcome: "cancelled" } };
      if (error instanceof PermissionDeniedError) return pickOption(request.options, ["reject_once", "reject_always"]);
      throw error;
    }
  }

  async readTextFile(request: acp.ReadTextFileRequest): Promise<acp.ReadTextFileResponse> {
    const ctx = this.contextOf(undefined);
    const file = await resolvePath(ctx, request.path).catch(refused);
    await ctx.ask({ permission: "read", patterns: [file], always: ["*"], metadata: { filepath: file } }).catch(refused);
    const text = await readFile(file, "utf8").catch(() => refused(new Error(`File not found: ${request.path}`)));
    if (!request.line && !request.limit) return { content: text };
    const lines = text.split("\n");
    const start = Math.max(0, (request.line ?? 1) - 1);
    return { content: lines.slice(start, request.limit ? start + request.limit : undefined).join("\n") };
  }

  async writeTextFile(request: acp.WriteTextFileRequest): Promise<acp.WriteTextFileResponse> {
    const ctx = this.contextOf(undefined);
    const file = await resolvePath(ctx, request.path).catch(refused);
    const relative = path.relative(projectRoot(ctx), file);
    await ctx.ask({ permission: "edit", patterns: [relative], always: ["*"], metadata: { filepath: file } }).catch(refused);
    const existed = await stat(file).then(
      () => true,
      () => false,
    );
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, request.content);
    // As the write tool reports its change.
    ctx.publish("file.edited", { file });
    ctx.publish("file.watcher.updated", { file, event: existed ? "change" : "add" });
    return {};
  }

  async createTerminal(request: acp.CreateTerminalRequest): Promise<acp.CreateTerminalResponse> {
    const ctx = this.contextOf(undefined);
    const commandLine = [request.command, ...(request.args ?? [])].join(" ");
    await ctx
      .ask({ permission: "bash", patterns: [commandLine], always: [`${request.command} *`], metadata: { command: commandLine } })
      .catch(refused);
    const cwd = request.cwd ? await resolvePath(ctx, request.cwd).catch(refused) : ctx.directory;
    const env = Object.fromEntries((request.env ?? []).map((v) => [v.name, v.value]));
    const child = spawn(request.command, request.args ?? [], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const terminal: RunningTerminal = {
      child,
      output: "",
      truncated: false,
      limit: request.outputByteLimit ?? DEFAULT_OUTPUT_LIMIT,
      exit: new Promise((resolve) => {
        child.once("error", (error) => {
          terminal.output += `${error.message}\n`;
          resolve((terminal.exitStatus = { exitCode: 127, signal: null }));
        });
        child.once("close", (code, signal) => resolve((terminal.exitStatus = { exitCode: code, signal })));
      }),
    };
    const collect = (chunk: Buffer) => {
      terminal.output += chunk.toString();
      // Keep the end of the output within the limit, as the protocol asks.
      if (Buffer.byteLength(terminal.output) > terminal.limit) {
        terminal.output = terminal.output.slice(-terminal.limit);
        terminal.truncated = true;
      }
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    const terminalId = createId("pty");
    this.terminals.set(terminalId, terminal);
    return { terminalId };
  }

  private terminal(id: string): RunningTerminal {
    const terminal = this.terminals.get(id);
    if (!terminal) throw RequestError.invalidParams(undefined, `Unknown terminal ${id}`);
    return terminal;
  }

  async terminalOutput(request: acp.TerminalOutputRequest): Promise<acp.TerminalOutputResponse> {
    const terminal = this.terminal(request.terminalId);
    return { output: terminal.output, truncated: terminal.truncated, ...(terminal.exitStatus ? { exitStatus: terminal.exitStatus } : {}) };
  }

  async waitForTerminalExit(request: acp.WaitForTerminalExitRequest): Promise<acp.WaitForTerminalExitResponse> {
    return this.terminal(request.terminalId).exit;
  }

  async killTerminal(request: acp.KillTerminalRequest): Promise<acp.KillTerminalResponse> {
    this.terminal(request.terminalId).child.kill("SIGTERM");
    return {};
  }

  async releaseTerminal(request: acp.ReleaseTerminalRequest): Promise<acp.ReleaseTerminalResponse> {
    const terminal = this.terminal(request.terminalId);
    if (!terminal.exitStatus) terminal.child.kill("SIGTERM");
    this.terminals.delete(request.terminalId);
    return {};
  }

  /** Ends what the turn left running. */
  dispose(): void {
    for (const terminal of this.terminals.values()) if (!terminal.exitStatus) terminal.child.kill("SIGTERM");
    this.terminals.clear();
  }
}
