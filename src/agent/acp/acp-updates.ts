// ACP `session/update` notifications as agent events: message chunks become text, thought chunks
// reasoning, each tool call id one tool part (named as OpenCode names its tools, so the TUI
// renders it), and plans the session's todos.
import type * as acp from "@agentclientprotocol/sdk";
import { createTwoFilesPatch } from "diff";
import type { AgentEvent } from "../agent-event.js";

/** OpenCode's tool for each ACP tool kind. */
const TOOL_OF_KIND: Record<acp.ToolKind, string> = {
  read: "read",
  edit: "edit",
  delete: "edit",
  move: "edit",
  search: "grep",
  execute: "bash",
  think: "think",
  fetch: "webfetch",
  switch_mode: "switch_mode",
  other: "other",
};

export function toolNameOf(call: { kind?: acp.ToolKind | null }): string {
  return TOOL_OF_KIND[call.kind ?? "other"];
}

/** The part's input: the agent's raw input, plus the keys OpenCode's renderer reads for that tool. */
export function toolInputOf(call: acp.ToolCallUpdate): Record<string, unknown> {
  const raw = call.rawInput && typeof call.rawInput === "object" ? (call.rawInput as Record<string, unknown>) : {};
  const tool = toolNameOf(call);
  const file = call.locations?.[0]?.path ?? (typeof raw.path === "string" ? raw.path : undefined);
  if (tool === "bash")
    return { ...raw, command: typeof raw.command === "string" ? raw.command : (call.title ?? ""), description: call.title ?? "" };
  if ((tool === "read" || tool === "edit") && file) return { ...raw, filePath: file };
  return raw;
}

function contentText(content: acp.ToolCallContent[] | null | undefined): string {
  return (content ?? [])
    .map((item) => (item.type === "content" && item.content.type === "text" ? item.content.text : ""))
    .filter(Boolean)
    .join("\n");
}

function diffOf(content: acp.ToolCallContent[] | null | undefined): string | undefined {
  const diffs = (content ?? []).filter((item) => item.type === "diff");
  if (diffs.length === 0) return undefined;
  return diffs.map((d) => createTwoFilesPatch(d.path, d.path, d.oldText ?? "", d.newText)).join("\n");
}

/** Turns one ACP session's updates, in order, into agent events. */
export class AcpUpdateTranslator {
  private open: { kind: "text" | "reasoning"; id: string } | undefined;
  private count = 0;
  private readonly calls = new Map<string, { title: string; input: string }>();

  constructor(private readonly emit: (event: AgentEvent) => void) {}

  /** Ends an open text or reasoning part (before a tool part, or at the end of the turn). */
  closeOpen(): void {
    if (!this.open) return;
    this.emit({ type: `${this.open.kind}-end`, id: this.open.id });
    this.open = undefined;
  }

  private chunk(kind: "text" | "reasoning", block: acp.ContentBlock): void {
    if (block.type !== "text") return;
    if (this.open?.kind !== kind) {
      this.closeOpen();
      this.open = { kind, id: `acp_${kind}_${++this.count}` };
      this.emit({ type: `${kind}-start`, id: this.open.id });
    }
    this.emit({ type: `${kind}-delta`, id: this.open.id, delta: block.text });
  }

  /** Makes sure the call has its tool part (a permission request can come before the call's update). */
  ensureCall(call: acp.ToolCallUpdate): void {
    if (this.calls.has(call.toolCallId)) return;
    this.closeOpen();
    const tool = toolNameOf(call);
    const input = toolInputOf(call);
    this.calls.set(call.toolCallId, { title: call.title ?? tool, input: JSON.stringify(input) });
    this.emit({ type: "tool-input-start", callID: call.toolCallId, tool });
    this.emit({ type: "tool-call", callID: call.toolCallId, tool, input });
  }

  private callUpdate(call: acp.ToolCallUpdate): void {
    this.ensureCall(call);
    const known = this.calls.get(call.toolCallId)!;
    if (call.title) known.title = call.title;
    // Agents often send the real input after the call itself (opencode acp: the command of a bash call).
    if (call.rawInput && typeof call.rawInput === "object" && Object.keys(call.rawInput).length) {
      const input = toolInputOf({ ...call, title: known.title });
      if (JSON.stringify(input) !== known.input) {
        known.input = JSON.stringify(input);
        this.emit({ type: "tool-progress", callID: call.toolCallId, input });
      }
    }
    const output =
      contentText(call.content) || (call.rawOutput !== undefined && call.rawOutput !== null ? JSON.stringify(call.rawOutput) : "");
    const diff = diffOf(call.content);
    const metadata = { output, ...(diff ? { diff } : {}) };
    if (call.status === "completed") this.emit({ type: "tool-result", callID: call.toolCallId, output, title: known.title, metadata });
    else if (call.status === "failed") this.emit({ type: "tool-error", callID: call.toolCallId, error: output || `${known.title} failed` });
    else if (call.content || call.title) this.emit({ type: "tool-progress", callID: call.toolCallId, title: known.title, metadata });
  }

  update(update: acp.SessionUpdate): void {
    switch (update.sessionUpdate) {
      case "agent_message_chunk":
        return this.chunk("text", update.content);
      case "agent_thought_chunk":
        return this.chunk("reasoning", update.content);
      case "tool_call":
      case "tool_call_update":
        return this.callUpdate(update);
      case "plan":
        return this.emit({
          type: "todos",
          todos: update.entries.map((entry) => ({ content: entry.content, status: entry.status, priority: entry.priority })),
        });
      default:
        return;
    }
  }
}
