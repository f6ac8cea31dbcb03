// What an agent backend reports while it runs a turn. Every backend (LLM, ACP, scripted) yields
// these; one recorder (src/session/turn-recorder.ts) turns them into OpenCode messages, parts and
// events, so every backend produces the same upstream event stream.

import type { Todo } from "../../generated/schemas.js";

export interface TokenUsage {
  input: number;
  output: number;
  reasoning: number;
  cache: { read: number; write: number };
}

export type AgentEvent =
  /** A model call begins. After a step that ended in tool calls, the next step is a new assistant message. */
  | { type: "step-start" }
  | { type: "text-start"; id: string }
  | { type: "text-delta"; id: string; delta: string }
  | { type: "text-end"; id: string }
  | { type: "reasoning-start"; id: string }
  | { type: "reasoning-delta"; id: string; delta: string }
  | { type: "reasoning-end"; id: string }
  | { type: "tool-input-start"; callID: string; tool: string }
  | { type: "tool-call"; callID: string; tool: string; input: Record<string, unknown> }
  /** A running call's news: its title, metadata, or the input it turned out to have (an external agent tells it late). */
  | { type: "tool-progress"; callID: string; title?: string; metadata?: Record<string, unknown>; input?: Record<string, unknown> }
  | { type: "tool-result"; callID: string; output: string; title: string; metadata: Record<string, unknown> }
  | { type: "tool-error"; callID: string; error: string; metadata?: Record<string, unknown> }
  | { type: "step-finish"; reason: string; usage: TokenUsage; cost: number }
  /** The backend will try the model call again at `next` (epoch ms). */
  | { type: "retry"; attempt: number; message: string; next: number }
  /** The agent's plan replaces the session's todo list (ACP plans). */
  | { type: "todos"; todos: Todo[] };

export const ZERO_USAGE: TokenUsage = { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } };
