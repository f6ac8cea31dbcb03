// todowrite and todoread: the session's task list, shown by the TUI.
import type { Todo } from "../../generated/schemas.js";
import type { ToolDefinition } from "./tool.js";

export const todoWriteTool: ToolDefinition<{ todos: Todo[] }> = {
  id: "todowrite",
  description: [
    "Writes the session's task list (the whole list each time). Use it for work of several steps:",
    "add the tasks, mark one in_progress while you work on it, completed when done, cancelled when dropped.",
  ].join("\n"),
  parameters: {
    type: "object",
    properties: {
      todos: {
        type: "array",
        items: {
          type: "object",
          properties: {
            content: { type: "string", description: "What to do, briefly" },
            status: { type: "string", description: "pending, in_progress, completed or cancelled" },
            priority: { type: "string", description: "high, medium or low" },
            id: { type: "string", description: "An id for the task" },
          },
          required: ["content", "status", "priority"],
        },
      },
    },
    required: ["todos"],
  },
  async execute(args, ctx) {
    await ctx.ask({ permission: "todowrite", patterns: ["*"], always: ["*"], metadata: {} });
    // Kept in the spec's shape: a model's extra keys (such as `id`) are not stored or sent on.
    const todos = args.todos.map(({ content, status, priority }) => ({ content, status, priority }));
    await ctx.todos.set(todos);
    ctx.publish("todo.updated", { sessionID: ctx.sessionID, todos });
    const open = todos.filter((t) => t.status !== "completed" && t.status !== "cancelled").length;
    return { title: `${open} todos`, output: JSON.stringify(todos, null, 2), metadata: { todos } };
  },
};

export const todoReadTool: ToolDefinition<Record<string, never>> = {
  id: "todoread",
  description: "Reads the session's task list.",
  parameters: { type: "object", properties: {} },
  async execute(_args, ctx) {
    const todos = await ctx.todos.get();
    const open = todos.filter((t) => t.status !== "completed" && t.status !== "cancelled").length;
    return { title: `${open} todos`, output: JSON.stringify(todos, null, 2), metadata: { todos } };
  },
};
