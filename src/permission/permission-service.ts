// Permission requests: a tool asks before it acts; rules decide (allow, deny) or the user does
// (permission.asked, then a reply: once, always, reject). "always" is remembered for the project.
import type { PublishToAsync } from "../bus/event-bus.js";
import type { PermissionRequest, PermissionRuleset } from "../../generated/schemas.js";
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
}

interface Pending {
  request: PermissionRequest;
  projectID: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

export function permissionNotFound(requestID: string): NotFoundError {
  return new NotFoundError("Permission", requestID);
}

export class PermissionService {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly store: Store,
    /** Publishes permission.asked / permission.replied on the session's stream. */
    private readonly publish: PublishToAsync<string>,
    /** Plugins' say (`permission.ask`) on a request the rules leave to the user. */
    private readonly pluginDecision: (request: PermissionRequest) => Promise<"ask" | "allow" | "deny"> = async () => "ask",
  ) {}

  list(): PermissionRequest[] {
    return [...this.pending.values()].map((p) => p.request);
  }

  /** What the rules (and the project's "always" answers) decide for a request, before anyone is asked. */
  async decide(ask: Pick<PermissionAsk, "projectID" | "permission" | "patterns" | "rules">): Promise<"allow" | "deny" | "ask"> {
    const remembered = await this.store.getRememberedPermissions(ask.projectID);
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
    const byPlugins = await this.pluginDecision(request);
    if (byPlugins === "allow") return;
    if (byPlugins === "deny")
      throw new PermissionDeniedError(`A plugin denied this tool call (${ask.permission}: ${ask.patterns.join(", ")}).`, false);
    const answered = new Promise<void>((resolve, reject) => {
      this.pending.set(request.id, { request, projectID: ask.projectID, resolve, reject });
    });
    const onAbort = () => this.drop(request.id, new PermissionDeniedError("Tool execution aborted", true));
    ask.signal.addEventListener("abort", onAbort, { once: true });
    await this.publish(ask.sessionID, "permission.asked", request);
    try {
      await answered;
    } finally {
      ask.signal.removeEventListener("abort", onAbort);
    }
  }

  async reply(requestID: string, reply: PermissionReply, message?: string): Promise<void> {
    const entry = this.pending.get(requestID);
    if (!entry) throw permissionNotFound(requestID);
    this.pending.delete(requestID);
    const { request } = entry;
    await this.publish(request.sessionID, "permission.replied", { sessionID: request.sessionID, requestID, reply });
    if (reply === "reject") {
      entry.reject(
        message
          ? new PermissionDeniedError(
              `The user rejected permission to use this specific tool call with the following feedback: ${message}`,
              false,
            )
          : new PermissionDeniedError("The user rejected permission to use this specific tool call.", true),
      );
      return;
    }
    if (reply === "always") {
      const remembered = await this.store.getRememberedPermissions(entry.projectID);
      const added = request.always.map((pattern) => ({ permission: request.permission, pattern, action: "allow" as const }));
      await this.store.putRememberedPermissions(entry.projectID, [...remembered, ...added]);
    }
    entry.resolve();
  }

  /** Ends the pending requests of a session (abort, delete). */
  dropSession(sessionID: string): void {
    for (const [id, entry] of this.pending) {
      if (entry.request.sessionID === sessionID) this.drop(id, new PermissionDeniedError("Tool execution aborted", true));
    }
  }

  private drop(requestID: string, error: Error): void {
    const entry = this.pending.get(requestID);
    if (!entry) return;
    this.pending.delete(requestID);
    entry.reject(error);
  }
}
