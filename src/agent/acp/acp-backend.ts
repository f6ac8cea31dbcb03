// External agents over ACP: the pool keeps one process per agent and directory and one ACP
// session per OpenCode session; the backend runs a turn as one `session/prompt` and reports what
// the agent streams as agent events, through the same recorder as the LLM backend.
import type * as acp from "@agentclientprotocol/sdk";
import type { ModelMessage } from "ai";
import type { AgentBackend, AgentTurn } from "../agent-backend.js";
import { ZERO_USAGE, type AgentEvent } from "../agent-event.js";
import type { AgentDefinition } from "../agents.js";
import path from "node:path";
import type { AcpClientRequests } from "./acp-client-requests.js";
import { assertInstalled } from "./acp-command.js";
import type { AcpProcess } from "./acp-process.js";
import { AcpUpdateTranslator } from "./acp-updates.js";

type ExternalAgent = AgentDefinition & { external: NonNullable<AgentDefinition["external"]> };

/** How long an agent may take to confirm a cancel before the turn ends without it. */
const CANCEL_GRACE_MS = 3_000;

export class AcpPool {
  private readonly processes = new Map<string, AcpProcess>();
  private readonly sessions = new Map<string, { process: AcpProcess; sessionId: string }>();

  /** The ACP session of an OpenCode session (started, with its process, on first use or after a crash). */
  async session(agent: ExternalAgent, sessionID: string, directory: string): Promise<{ process: AcpProcess; sessionId: string }> {
    const known = this.sessions.get(sessionID);
    if (known?.process.alive && known.process.name === agent.name) return known;
    // A manifest's `cwd` (already absolute, or relative to the project) is where the agent works.
    const cwd = agent.external.cwd ? path.resolve(directory, agent.external.cwd) : directory;
    const key = JSON.stringify([agent.name, cwd, agent.external.command]);
    let process = this.processes.get(key);
    if (!process?.alive) {
      await assertInstalled(agent, cwd);
      const { AcpProcess } = await import("./acp-process.js"); // the ACP SDK loads with the first external agent
      process = new AcpProcess(agent.name, agent.external.command, { cwd, env: agent.external.env });
      this.processes.set(key, process);
    }
    const session = { process, sessionId: await process.newSession(cwd) };
    this.sessions.set(sessionID, session);
    return session;
  }

  /** Stops the agents working in a directory (or below it); their sessions start afresh on the next prompt. */
  forget(directory: string): void {
    const inside = (cwd: string) => cwd === directory || cwd.startsWith(directory + path.sep);
    for (const [key, process] of this.processes) {
      if (!inside((JSON.parse(key) as [string, string])[1])) continue;
      process.stop();
      this.processes.delete(key);
    }
    for (const [sessionID, session] of this.sessions) if (!session.process.alive) this.sessions.delete(sessionID);
  }

  closeAll(): void {
    for (const process of this.processes.values()) process.stop();
    this.processes.clear();
    this.sessions.clear();
  }
}

/** The user's latest message as ACP content. */
function promptOf(messages: ModelMessage[]): acp.ContentBlock[] {
  const last = messages.findLast((m) => m.role === "user");
  if (!last) return [];
  if (typeof last.content === "string") return [{ type: "text", text: last.content }];
  return last.content.flatMap((part): acp.ContentBlock[] => (part.type === "text" ? [{ type: "text", text: part.text }] : []));
}

const FINISH_OF_STOP: Record<acp.StopReason, string> = {
  end_turn: "stop",
  max_tokens: "length",
  max_turn_requests: "length",
  refusal: "content-filter",
  cancelled: "stop",
};

/** A queue callbacks fill and a turn's generator drains (ACP callbacks; a team's members). */
export class EventQueue<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private failure: { error: unknown } | undefined;

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }
  end(): void {
    this.ended = true;
    this.wake?.();
  }
  fail(error: unknown): void {
    this.failure ??= { error };
    this.wake?.();
  }
  async *drain(): AsyncGenerator<T> {
    for (;;) {
      if (this.items.length) yield this.items.shift()!;
      else if (this.failure) throw this.failure.error;
      else if (this.ended) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

export class AcpBackend implements AgentBackend {
  constructor(
    private readonly pool: AcpPool,
    private readonly agent: ExternalAgent,
    private readonly sessionID: string,
    private readonly directory: string,
  ) {}

  async *runTurn(turn: AgentTurn): AsyncGenerator<AgentEvent> {
    if (!turn.toolContext) throw new Error("An ACP turn needs the session's tool context");
    const toolContext = turn.toolContext;
    await turn.beforeStep(0);
    const queue = new EventQueue<AgentEvent>();
    const translator = new AcpUpdateTranslator((event) => queue.push(event));
    const { AcpClientRequests } = await import("./acp-client-requests.js");
    const requests: AcpClientRequests = new AcpClientRequests(translator, (callID) => toolContext(callID));
    queue.push({ type: "step-start" });
    const { process, sessionId } = await this.pool.session(this.agent, this.sessionID, this.directory);
    const onAbort = () => {
      void process.cancel(sessionId);
      // An agent that does not answer the cancel does not keep the session busy.
      setTimeout(() => queue.fail(turn.signal.reason), CANCEL_GRACE_MS).unref();
    };
    turn.signal.addEventListener("abort", onAbort, { once: true });
    process.prompt(sessionId, promptOf(await turn.messages(0)), requests).then(
      (response) => {
        if (turn.signal.aborted) return queue.fail(turn.signal.reason);
        translator.closeOpen();
        queue.push({ type: "step-finish", reason: FINISH_OF_STOP[response.stopReason], usage: ZERO_USAGE, cost: 0 });
        queue.end();
      },
      (error: unknown) => queue.fail(turn.signal.aborted ? turn.signal.reason : error),
    );
    try {
      yield* queue.drain();
    } finally {
      turn.signal.removeEventListener("abort", onAbort);
      requests.dispose();
    }
  }
}
