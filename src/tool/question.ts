// question: asks the user one or more multiple-choice questions and waits for the answers.
import { z } from "zod";
import { defineTool } from "./define.js";

const description = `Asks the user questions and waits for the answers. Use it while you work when you need the user to:
1. tell you what they prefer or what they need,
2. clear up an instruction that can be read more than one way,
3. choose how to go on (an approach, a library, a design),
4. pick between options you would otherwise pick for them.

How to ask:
- Each question has a short \`header\` (at most 30 characters), the full \`question\`, and \`options\` to choose from, each a short \`label\` (1-5 words) with a \`description\` of what it means.
- The user can always type their own answer instead, so do not add an "Other" option.
- Set \`multiple\` when more than one option may be chosen.
- If you recommend an option, put it first and add "(Recommended)" to its label.
- Ask several questions in one call rather than one call each.
- Do not ask what you can find out yourself by reading the project.`;

const option = z.object({
  label: z.string().describe("The text shown for the choice (1-5 words)"),
  description: z.string().describe("What choosing it means"),
});

const question = z.object({
  question: z.string().describe("The question in full"),
  header: z.string().describe("A very short label for it (at most 30 characters)"),
  options: z.array(option).describe("The choices offered"),
  multiple: z.boolean().describe("Whether several choices may be picked").optional(),
});

export const questionTool = defineTool({
  id: "question",
  description,
  parameters: z.object({ questions: z.array(question).describe("The questions to ask") }),
  async run(args, ctx) {
    const answers = await ctx.question(args.questions);
    const pairs = args.questions.map((q, i) => `"${q.question}"="${(answers[i] ?? []).join(", ") || "Unanswered"}"`);
    return {
      title: `Asked ${args.questions.length} question${args.questions.length === 1 ? "" : "s"}`,
      output: `User has answered your questions: ${pairs.join(", ")}. You can now continue with the user's answers in mind.`,
      metadata: { answers, truncated: false },
    };
  },
});
