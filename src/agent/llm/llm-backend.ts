// The LLM backend: one model call per step through the Vercel AI SDK; after a step that ended in
// tool calls (run by the turn's runner), the model answers their results in the next step.
import type { AgentBackend, AgentTurn } from "../agent-backend.js";
import type { AgentEvent } from "../agent-event.js";
import type { LlmTurnInput } from "./llm-turn.js";
import { loadLlmTurn } from "./ai-sdk.js";
import type { ResolvedModel } from "./resolved-model.js";

export class LlmBackend implements AgentBackend {
  constructor(
    private readonly model: ResolvedModel,
    private readonly options: {
      providerOptions?: Record<string, Record<string, unknown>>;
      retryDelaysMs?: number[];
      headers?: Record<string, string>;
      sampling?: { temperature?: number; topP?: number };
      adjustCall?: LlmTurnInput["adjustCall"];
    } = {},
  ) {}

  async *runTurn(turn: AgentTurn): AsyncGenerator<AgentEvent> {
    const { runLlmStep } = await loadLlmTurn();
    for (let step = 0; step < turn.maxSteps; step++) {
      await turn.beforeStep(step);
      let finish: string | undefined;
      for await (const event of runLlmStep({
        model: this.model,
        system: turn.system,
        messages: await turn.messages(step),
        tools: turn.tools,
        runTool: turn.runTool,
        signal: turn.signal,
        ...this.options,
      })) {
        if (event.type === "step-finish") finish = event.reason;
        yield event;
      }
      if (finish !== "tool-calls" || !turn.continueAfterTools()) return;
    }
  }
}
