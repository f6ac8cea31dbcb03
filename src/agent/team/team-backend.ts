// A team (AgentPool's `teams`) as an agent backend: each member runs as a child session of the
// prompted session through the session's own sub-agent machinery (the tool context's subtask),
// shown as OpenCode shows sub-agents: one `task` tool part per member, linked to its child session
// as soon as it exists. Parallel teams run every member at once (a failing member fails its part
// only); sequential teams hand each member the previous member's output and stop at a failure.
// The reply lists each member's result. Everything goes through the one recorder as agent events.
import type { ModelMessage } from "ai";
import type { AgentBackend, AgentTurn } from "../agent-backend.js";
import { ZERO_USAGE, type AgentEvent } from "../agent-event.js";
import type { AgentDefinition, TeamDefinition } from "../agents.js";
import { EventQueue } from "../acp/acp-backend.js";
import { randomUUID } from "node:crypto";

/** What one member answered (or why it failed). */
interface MemberResult {
  member: string;
  text?: string;
  error?: string;
}

/** The user's latest message as text (what the team was asked). */
export function promptText(messages: ModelMessage[]): string {
  const last = messages.findLast((m) => m.role === "user");
  if (!last) return "";
  if (typeof last.content === "string") return last.content;
  return last.content
    .flatMap((part) => (part.type === "text" ? [part.text] : []))
    .join("\n")
    .trim();
}

/** A member's prompt: the team's shared prompt, then its input. */
export function memberPrompt(team: TeamDefinition, input: string): string {
  return team.sharedPrompt ? `${team.sharedPrompt}\n\n${input}` : input;
}

/** The team's reply: each member's result, in the members' order. */
export function teamReply(name: string, team: TeamDefinition, results: MemberResult[]): string {
  const lines = [`Team ${name} (${team.mode}):`];
  for (const result of results)
    lines.push("", `## ${result.member}${result.error ? " (failed)" : ""}`, "", result.error ? `Error: ${result.error}` : (result.text ?? ""));
  return lines.join("\n");
}

/** The task tool's output for a member, as the task tool reports a sub-agent. */
function taskOutput(sessionID: string, result: { text: string; error?: string }): string {
  return `<task id="${sessionID}" state="${result.error ? "error" : "completed"}">\n<task_result>\n${result.error ?? result.text}\n</task_result>\n</task>`;
}

export class TeamError extends Error {}

export class TeamBackend implements AgentBackend {
  constructor(private readonly agent: AgentDefinition & { team: TeamDefinition }) {}

  async *runTurn(turn: AgentTurn): AsyncGenerator<AgentEvent> {
    const { team, name } = this.agent;
    if (team.problem) throw new TeamError(team.problem);
    if (!turn.toolContext) throw new Error("A team's turn needs the session's tool context");
    await turn.beforeStep(0);
    const prompt = promptText(await turn.messages(0));
    const queue = new EventQueue<AgentEvent>();
    queue.push({ type: "step-start" });
    const runMember = (member: string, index: number, input: string) => this.runMember(turn, queue, member, index, input);
    const finish = async (): Promise<void> => {
      const results: MemberResult[] = [];
      if (team.mode === "parallel") {
        results.push(...(await Promise.all(team.members.map((member, index) => runMember(member, index, memberPrompt(team, prompt))))));
      } else {
        let input = prompt;
        for (const [index, member] of team.members.entries()) {
          const result = await runMember(member, index, memberPrompt(team, input));
          results.push(result);
          if (turn.signal.aborted) break;
          if (result.error) throw new TeamError(`Team ${name} stopped at ${member}: ${result.error}`);
          input = result.text ?? "";
        }
      }
      if (turn.signal.aborted) throw turn.signal.reason;
      const id = `team-${name}`;
      queue.push({ type: "text-start", id });
      queue.push({ type: "text-delta", id, delta: teamReply(name, team, results) });
      queue.push({ type: "text-end", id });
      queue.push({ type: "step-finish", reason: "stop", usage: ZERO_USAGE, cost: 0 });
    };
    finish().then(
      () => queue.end(),
      (error: unknown) => queue.fail(error),
    );
    yield* queue.drain();
  }

  /** One member as a `task` part and a child session; resolves with its result, never rejects. */
  private async runMember(turn: AgentTurn, queue: EventQueue<AgentEvent>, member: string, index: number, input: string): Promise<MemberResult> {
    const callID = `team_${index}_${randomUUID().slice(0, 8)}`;
    const description = `${this.agent.name}: ${member}`;
    queue.push({ type: "tool-input-start", callID, tool: "task" });
    queue.push({ type: "tool-call", callID, tool: "task", input: { description, prompt: input, subagent_type: member } });
    const ctx = turn.toolContext!(callID);
    try {
      const result = await ctx.subtask({
        description,
        prompt: input,
        agent: member,
        // The part links its child session as soon as the child exists, as the task tool's does.
        started: (child) =>
          ctx.progress({ title: description, metadata: { parentSessionId: ctx.sessionID, sessionId: child.sessionID, model: child.model } }),
      });
      const metadata = { parentSessionId: ctx.sessionID, sessionId: result.sessionID, model: result.model, truncated: false };
      if (turn.signal.aborted) return { member, error: "Aborted" };
      if (result.error) queue.push({ type: "tool-error", callID, error: result.error, metadata });
      else queue.push({ type: "tool-result", callID, title: description, output: taskOutput(result.sessionID, result), metadata });
      return { member, ...(result.error ? { error: result.error } : { text: result.text }) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!turn.signal.aborted) queue.push({ type: "tool-error", callID, error: message });
      return { member, error: message };
    }
  }
}
