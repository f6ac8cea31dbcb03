// task: hands a piece of work to a sub-agent, which runs it in a child session of its own; the
// sub-agent's final answer comes back as the tool's output.
import type { AgentDefinition } from "../agent/agents.js";
import { ToolError, type ToolDefinition } from "./tool.js";

export type TaskArgs = { description: string; prompt: string; subagent_type: string; task_id?: string };

/** The task tool for a turn, naming the sub-agents the pool offers. */
export function taskTool(subagents: AgentDefinition[]): ToolDefinition<TaskArgs> {
  const names = new Set(subagents.map((a) => a.name));
  return {
    id: "task",
    description: [
      "Starts a sub-agent on a task of its own (a search across the codebase, a self-contained change, research),",
      "and answers with its final report. Give a short `description` and a complete `prompt`: the sub-agent sees",
      "nothing of this conversation. Sub-agents:",
      ...subagents.map((a) => `- ${a.name}: ${a.description ?? "(no description)"}`),
    ].join("\n"),
    parameters: {
      type: "object",
      properties: {
        description: { type: "string", description: "A short (3-5 words) description of the task" },
        prompt: { type: "string", description: "The task for the sub-agent, complete and self-contained" },
        subagent_type: { type: "string", description: "Which sub-agent runs it" },
        task_id: { type: "string", description: "The session id of an earlier task, to continue it" },
      },
      required: ["description", "prompt", "subagent_type"],
    },
    async execute(args, ctx) {
      if (!names.has(args.subagent_type))
        throw new ToolError(`Unknown sub-agent ${args.subagent_type}; available: ${[...names].join(", ")}`);
      await ctx.ask({
        permission: "task",
        patterns: [args.subagent_type],
        always: ["*"],
        metadata: { description: args.description, subagent_type: args.subagent_type },
      });
      const result = await ctx.subtask({
        description: args.description,
        prompt: args.prompt,
        agent: args.subagent_type,
        sessionID: args.task_id,
        // Upstream shows the running part with its child session as soon as the child exists.
        started: (child) =>
          ctx.progress({
            title: args.description,
            metadata: { parentSessionId: ctx.sessionID, sessionId: child.sessionID, model: child.model },
          }),
      });
      return {
        title: args.description,
        output: `<task id="${result.sessionID}" state="${result.error ? "error" : "completed"}">\n<task_result>\n${result.error ?? result.text}\n</task_result>\n</task>`,
        metadata: { parentSessionId: ctx.sessionID, sessionId: result.sessionID, model: result.model, truncated: false },
      };
    },
  };
}
