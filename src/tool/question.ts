// question: asks the user one or more multiple-choice questions and waits for the answers.
import type { QuestionInfo } from "../../generated/schemas.js";
import type { ToolDefinition } from "./tool.js";

export const questionTool: ToolDefinition<{ questions: QuestionInfo[] }> = {
  id: "question",
  description: [
    "Asks the user questions when you need a decision or a preference to go on: each question has a",
    "short header and options to choose from (set `multiple` to allow several). Waits for the answers.",
  ].join("\n"),
  parameters: {
    type: "object",
    properties: {
      questions: {
        type: "array",
        items: {
          type: "object",
          properties: {
            question: { type: "string", description: "The whole question" },
            header: { type: "string", description: "A very short label (at most 30 characters)" },
            options: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  label: { type: "string", description: "The choice, 1-5 words" },
                  description: { type: "string", description: "What it means" },
                },
                required: ["label", "description"],
              },
            },
            multiple: { type: "boolean", description: "Allow choosing several options" },
          },
          required: ["question", "header", "options"],
        },
      },
    },
    required: ["questions"],
  },
  async execute(args, ctx) {
    const answers = await ctx.question(args.questions);
    const pairs = args.questions.map((q, i) => `"${q.question}"="${(answers[i] ?? []).join(", ") || "Unanswered"}"`);
    return {
      title: `Asked ${args.questions.length} question${args.questions.length === 1 ? "" : "s"}`,
      output: `User has answered your questions: ${pairs.join(", ")}. You can now continue with the user's answers in mind.`,
      metadata: { answers, truncated: false },
    };
  },
};
