// task: hands a piece of work to a sub-agent, which runs it in a child session of its own; the
// sub-agent's final answer comes back as the tool's output.
import { z } from "zod";
import type { AgentDefinition } from "../agent/agents.js";
import { defineTool } from "./define.js";
import { ToolError } from "./tool.js";

const usage = `Starts a sub-agent that works on its own on a larger, multi-step task and reports back when done. Choose the sub-agent with \`subagent_type\`.

When not to use it:
- To read a file whose path you know, or find one by name: use read or glob, which is quicker.
- To find a definition such as "class Foo": use grep.
- To look through a handful of known files: read them yourself.
- When none of the sub-agents below fits the work.

How to use it:
1. Start several sub-agents at once when their work is independent: several task calls in one message.
2. Once you hand work to a sub-agent, do not do the same work yourself; do something else or wait for its answer.
3. The sub-agent's answer comes back to you only, not to the user: tell the user what matters in your own reply. The answer carries a task_id.
4. Each call starts with an empty context, unless you pass the task_id of an earlier call to continue that session with everything it already did. A fresh sub-agent knows nothing of this conversation, so write a complete \`prompt\`: the goal, what you already know, and exactly what it should report back in its final message.
5. Trust what the sub-agent reports in general.
6. Say whether it should change code or only research (search, read, fetch pages), since it cannot guess what the user wants; tell it how to check its work (a test command, say) if there is one.
7. If a sub-agent's description says to use it proactively, do so without waiting for the user to ask.

Example: asked "where do we validate user input, and is it consistent?", start an explore sub-agent with a prompt such as "Find every place in this repository where request input is validated (look for schemas, validators, manual checks in handlers). Report each file and function with a one-line summary of what it checks, and point out handlers that do no validation. Do not change any file." Then summarise its report for the user.`;

export type TaskArgs = { description: string; prompt: string; subagent_type: string; task_id?: string; command?: string };

/** The task tool for a turn, naming the sub-agents this agent may start (sorted by name, as upstream). */
export function taskTool(subagents: AgentDefinition[]) {
  const sorted = [...subagents].sort((a, b) => a.name.localeCompare(b.name));
  const names = new Set(sorted.map((a) => a.name));
  return defineTool({
    id: "task",
    description: [
      usage,
      "",
      "The sub-agents you can start:",
      ...sorted.map((a) => `- ${a.name}: ${a.description ?? "Only to be started when the user asks for it by name."}`),
    ].join("\n"),
    parameters: z.object({
      description: z.string().describe("A short description of the task (3-5 words)"),
      prompt: z.string().describe("The complete task for the sub-agent"),
      subagent_type: z.string().describe("Which sub-agent should do the task"),
      task_id: z
        .string()
        .describe("Only to continue an earlier task: its task_id, so the same sub-agent session goes on where it stopped")
        .optional(),
      command: z.string().describe("The command that started this task, if any").optional(),
    }),
    async run(args, ctx) {
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
  });
}
