// The interface every agent backend implements: given a turn (the conversation, the system
// prompt, the tools and how to run them), it yields agent events until the turn is done. The
// LLM backend (./llm/llm-backend.ts) is the first; external agents over ACP implement the same.
import type { ModelMessage } from "ai";
import type { ToolContext, ToolDefinition } from "../tool/tool.js";
import type { AgentEvent } from "./agent-event.js";
import type { ToolRunner } from "./llm/llm-turn.js";

export interface AgentTurn {
  system: string[];
  /** The conversation the agent sees at a step (it grows with each step's tool results). */
  messages(step: number): Promise<ModelMessage[]>;
  tools: ToolDefinition<never>[];
  runTool: ToolRunner;
  signal: AbortSignal;
  maxSteps: number;
  /** Called before each model call; after the first, the previous step's message is done. */
  beforeStep(step: number): Promise<void>;
  /** Whether the turn goes on after a step that ended in tool calls. */
  continueAfterTools(): boolean;
  /**
   * For agents that run their own tools (ACP): the context of one of their tool calls (or of a
   * request that belongs to none), to ask permission and reach the project under the same rules.
   */
  toolContext?(callID: string | undefined): ToolContext;
}

export interface AgentBackend {
  runTurn(turn: AgentTurn): AsyncIterable<AgentEvent>;
}
