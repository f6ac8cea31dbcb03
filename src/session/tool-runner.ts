// How a turn runs a tool call: after the call's part exists, with the doom-loop question at a third
// identical call, through the plugins' hooks; a rejection without feedback stops the run.
import type { ToolRunner } from "../agent/llm/llm-turn.js";
import { PermissionDeniedError } from "../permission/permission-service.js";
import type { PluginHooks } from "../plugin/plugin-service.js";
import { QuestionRejectedError } from "../question/question-service.js";
import type { ToolContext } from "../tool/tool.js";
import { CallHistory } from "./doom-loop.js";
import type { TurnRecorder } from "./turn-recorder.js";

/** What the tools of a turn tell its loop. */
export class TurnState {
  /** A permission was rejected without feedback: no further model call. */
  stop = false;
  /** The tool calls of the current reply, for the doom-loop check. */
  readonly calls = new CallHistory();
}

/** Runs a tool call of a turn with its context: progress and abort results go to the recorder. */
export function toolRunner(
  plugins: PluginHooks,
  recorder: TurnRecorder,
  contextOf: (callID: string, signal: AbortSignal) => ToolContext,
  turn: TurnState,
): ToolRunner {
  return async (tool, args, call) => {
    // Counted in the order the model made the calls, before any of them waits.
    const repeated = turn.calls.repeats(recorder.current.id, tool.id, args);
    // Nothing happens before the call's part exists.
    await new Promise<void>((resolve, reject) => {
      if (call.signal.aborted) return reject(call.signal.reason);
      call.signal.addEventListener("abort", () => reject(call.signal.reason), { once: true });
      void recorder.whenPending(call.callID).then(resolve);
    });
    const context = contextOf(call.callID, call.signal);
    try {
      // The same call a third time in a row: the user decides whether the agent goes on.
      if (repeated)
        await context.ask({ permission: "doom_loop", patterns: [tool.id], always: [tool.id], metadata: { tool: tool.id, input: args } });
      return await plugins.runTool(tool.id, args, context, (input) => tool.execute(input as never, context));
    } catch (error) {
      // Rejected without feedback: upstream ends the run after this step.
      if ((error instanceof PermissionDeniedError && error.stopsRun) || error instanceof QuestionRejectedError) turn.stop = true;
      throw error;
    }
  };
}
