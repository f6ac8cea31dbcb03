// todowrite: the session's task list, shown by the TUI (upstream has no todoread for the model:
// the list it wrote is in its own conversation).
import { z } from "zod";
import { defineTool } from "./define.js";

const description = `Keeps the session's task list: a short checklist the user sees next to the conversation. Each call sends the whole list, which replaces the previous one.

When to use it:
- Work with three or more distinct steps, or a task that needs planning.
- The user gives several things to do at once (a numbered list, items separated by commas), or asks for a todo list.
- New requirements come up while you work: add them.
- You start a task: mark it in_progress first. You finish one: mark it completed right away, then pick up the next.

When not to use it:
- A single, simple step, or something done in a couple of trivial actions.
- Questions and conversation, where there is nothing to track.

How to keep it:
- status is one of: pending (not started), in_progress (working on it), completed (done), cancelled (no longer needed).
- priority is one of: high, medium, low.
- Keep exactly one task in_progress at a time.
- Mark a task completed only when it is really done: not while tests fail, the change is partial, or errors remain. If you are blocked, keep it in_progress and add a task for what blocks you.
- Write tasks as short, concrete actions ("Add a --verbose flag to the CLI", "Run the tests and fix failures").

Examples:
- "Add a dark mode setting and make sure the tests pass": worth a list (add the setting, the theme styles, switch components over, run the tests and fix failures), since it takes several steps and a final check.
- "Rename getUser to fetchUser everywhere": search first; if it is used in many files, list the files to change as tasks, so none is forgotten.
- "How do I print a line in Python?": no list; just answer.
- "Add a comment to this function": no list; it is one small edit.`;

const todo = z.object({
  content: z.string().describe("What the task is, briefly"),
  status: z.string().describe("The task's state: pending, in_progress, completed or cancelled"),
  priority: z.string().describe("How important it is: high, medium or low"),
});

export const todoWriteTool = defineTool({
  id: "todowrite",
  description,
  parameters: z.object({ todos: z.array(todo).describe("The whole task list, as it should be now") }),
  async run(args, ctx) {
    await ctx.ask({ permission: "todowrite", patterns: ["*"], always: ["*"], metadata: {} });
    // Kept in the spec's shape: a model's extra keys (such as `id`) are not stored or sent on.
    const todos = args.todos.map(({ content, status, priority }) => ({ content, status, priority }));
    await ctx.todos.set(todos);
    ctx.publish("todo.updated", { sessionID: ctx.sessionID, todos });
    const open = todos.filter((t) => t.status !== "completed" && t.status !== "cancelled").length;
    return { title: `${open} todos`, output: JSON.stringify(todos, null, 2), metadata: { todos } };
  },
});
