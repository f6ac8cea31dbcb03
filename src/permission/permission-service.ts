// Permission requests: a tool asks before it acts; rules decide (allow, deny) or the user does
// (permission.asked, then a reply: once, always, reject). "always" is remembered for the project.
import type { PublishToAsync } from "../bus/event-bus.js";
import type { PermissionRequest, PermissionRuleset } from "../../generated/schemas.js";
import type { PendingRequests } from "../cluster/pending-requests.js";
import { createId } from "../id.js";
import { NotFoundError } from "../domain-errors.js";
import type { Store } from "../storage/store.js";
import { evaluate } from "./rules.js";

export type PermissionReply = "once" | "always" | "reject";

/** Why a tool may not go on; its message is what the model reads. */
export class PermissionDeniedError extends Error {
  constructor(
    message: string,
    /** Rejected without feedback: the run stops after this step, as upstream does. */
    readonly stopsRun: boolean,
  ) {
    super(message);
  }
}

export interface PermissionAsk {
  sessionID: string;
  projectID: string;
  permission: string;
  patterns: string[];
  always: string[];
  metadata: Record<string, unknown>;
  tool?: { messageID: string; callID: string };
  /** The rules of the agent, the config and the session, in that order. */
  rules: PermissionRuleset;
  signal: AbortSignal;
  /** The request's id, when the client that asks chose it (v2 permission.create). */
  id?: string;
  /** Called once permission.asked is published (the tool's part waits for it to show "running"). */
  onAsked?: () => void;
}

/** What the user answered, here or on another node of the pool. */
interface PermissionAnswer {
  reply: PermissionReply;
  message?: string;
}

export interface PermissionServiceDeps {
  store: Pick<Store, "getRememberedPermissions" | "putRememberedPermissions">;
  /** Where the requests wait, seen by every node. */
  pending: PendingRequests<PermissionRequest, PermissionAnswer>;
  /** Publishes permission.asked / permission.replied on the session's stream. */
  publish: PublishToAsync<string>;
  /** Plugins' say (`permission.ask`) on a request the rules leave to the user. */
  pluginDecision?: (request: PermissionRequest) => Promise<"ask" | "allow" | "deny">;
}

export function permissionNotFound(requestID: string): NotFoundError {
  return new NotFoundError("Permission", requestID);
}

export class PermissionService {
  constructor(private readonly deps: PermissionServiceDeps) {
    // A reply another node received for a request this node's run waits on.
    deps.pending.onForwarded((id, body) => {
      const reply = body.reply as PermissionReply;
      void this.reply(id, reply, typeof body.message === "string" ? body.message : undefined).catch(() => undefined);
    });
  }

  /** The requests waiting for a reply (on every node of a pool). */
  list(): Promise<PermissionRequest[]> {
    return this.deps.pending.list();
  }

  /** A request still waiting, wherever it waits. */
  find(requestID: string): Promise<PermissionRequest | undefined> {
    return this.deps.pending.find(requestID);
  }

  /** What the rules (and the project's "always" answers) decide for a request, before anyone is asked. */
  async decide(ask: Pick<PermissionAsk, "projectID" | "permission" | "patterns" | "rules">): Promise<"allow" | "deny" | "ask"> {
    const remembered = await this.deps.store.getRememberedPermissions(ask.projectID);
    const actions = ask.patterns.map((pattern) =>
      evaluate(remembered, ask.permission, pattern) === "allow" ? "allow" : (evaluate(ask.rules, ask.permission, pattern) ?? "ask"),
    );
    if (actions.includes("deny")) return "deny";
    return actions.every((a) => a === "allow") ? "allow" : "ask";
  }

  /** Resolves when the tool may go on; rejects with PermissionDeniedError when it may not. */
  async ask(ask: PermissionAsk): Promise<void> {
    const decision = await this.decide(ask);
    if (decision === "deny") {
      throw new PermissionDeniedError(
        `The user has set a rule that prevents this tool call (${ask.permission}: ${ask.patterns.join(", ")}).`,
        false,
      );
    }
    if (decision === "allow") return;
    const request: PermissionRequest = {
      id: ask.id ?? createId("per"),
      sessionID: ask.sessionID,
      permission: ask.permission,
      patterns: ask.patterns,
      metadata: ask.metadata,
      always: ask.always,
      ...(ask.tool ? { tool: ask.tool } : {}),
    };
    const byPlugins = (await this.deps.pluginDecision?.(request)) ?? "ask";
    if (byPlugins === "allow") return;
    if (byPlugins === "deny")
      throw new PermissionDeniedError(`A plugin denied this tool call (${ask.permission}: ${ask.patterns.join(", ")}).`, false);
    const { pending, publish } = this.deps;
    const { answered } = await pending.open(request);
    const onAbort = () => pending.drop(request.id, new PermissionDeniedError("Tool execution aborted", true));
    ask.signal.addEventListener("abort", onAbort, { once: true });
    if (ask.signal.aborted) onAbort();
    await publish(ask.sessionID, "permission.asked", request);
    ask.onAsked?.();
    let answer: PermissionAnswer;
    try {
      answer = await answered;
    } finally {
      ask.signal.removeEventListener("abort", onAbort);
    }
    await publish(request.sessionID, "permission.replied", { sessionID: request.sessionID, requestID: request.id, reply: answer.reply });
    if (answer.reply === "reject") {
      throw answer.message
        ? new PermissionDeniedError(
            `The user rejected permission to use this specific tool call with the following feedback: ${answer.message}`,
            false,
          )
        : new PermissionDeniedError("The user rejected permission to use this specific tool call.", true);
    }
    if (answer.reply === "always") {
      const remembered = await this.deps.store.getRememberedPermissions(ask.projectID);
      const added = request.always.map((pattern) => ({ permission: request.permission, pattern, action: "allow" as const }));
      await this.deps.store.putRememberedPermissions(ask.projectID, [...remembered, ...added]);
    }
  }

  /** Answers a request, here or by passing the reply to the node whose run waits for it. */
  async reply(requestID: string, reply: PermissionReply, message?: string): Promise<void> {
    const located = await this.deps.pending.locate(requestID);
    if (!located) throw permissionNotFound(requestID);
    if ("node" in located) return this.deps.pending.forward(located.node, requestID, { reply, ...(message ? { message } : {}) });
    located.here.resolve({ reply, ...(message ? { message } : {}) });
  }

  /** Ends this node's pending requests of a session (abort, delete). */
  dropSession(sessionID: string): void {
    this.deps.pending.dropSession(sessionID, () => new PermissionDeniedError("Tool execution aborted", true));
  }
}
