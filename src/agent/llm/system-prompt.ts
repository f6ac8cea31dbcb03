// The system prompt of LLM agents (our own wording): the agent's prompt, the environment the model
// works in and the project's instruction files, in upstream OpenCode's order; the title and
// compaction requests; and the plan-mode reminders upstream adds to the user's message.
import os from "node:os";
import type { SharedV3ProviderOptions } from "@ai-sdk/provider";
import type { ModelMessage } from "ai";
import type { Config } from "../../../generated/schemas.js";
import { systemInstructions, type InstructionOptions } from "./instructions.js";
import type { ResolvedModel } from "./resolved-model.js";

export const TITLE_SYSTEM_PROMPT = [
  "You write the title of a conversation between a user and a coding assistant.",
  "Answer with the title only: one line, at most 50 characters, in the user's language,",
  "naming what the user wants. No quotes, no punctuation at the end, no preamble.",
].join("\n");

/** The first user message of a title request; the conversation follows it. */
export const TITLE_INSTRUCTION = "Here is the conversation to name:\n";

/**
 * Provider options of a title request: the model's lightest variant, as upstream's small options
 * (for a reasoning model its lowest reasoning effort, else the first configured variant).
 */
export function titleProviderOptions(model: ResolvedModel): Record<string, Record<string, unknown>> | undefined {
  const variants = model.info.variants ?? {};
  const first = model.info.capabilities.reasoning ? (variants.low ?? { reasoningEffort: "low" }) : Object.values(variants)[0];
  return first && Object.keys(first).length ? { [model.optionsKey]: first } : undefined;
}

/** A title request as upstream makes it: the title prompt, the instruction, then the conversation, with the lightest variant. */
export function titleRequest(conversation: ModelMessage[], model: ResolvedModel) {
  const options = titleProviderOptions(model);
  return {
    model: model.language,
    system: TITLE_SYSTEM_PROMPT,
    messages: [{ role: "user" as const, content: TITLE_INSTRUCTION }, ...conversation],
    ...(options ? { providerOptions: options as SharedV3ProviderOptions } : {}),
  };
}

/** The title in a title reply: its first non-empty line without reasoning tags, at most 100 characters. */
export function titleOf(reply: string): string | undefined {
  const line = reply
    .replace(/<think>[\s\S]*?<\/think>\s*/g, "")
    .split("\n")
    .map((l) => l.trim())
    .find(Boolean);
  return line && line.length > 100 ? `${line.slice(0, 97)}...` : line;
}

export function agentSystemPrompt(options: {
  agentPrompt?: string;
  directory: string;
  worktree: string;
  instructions?: string[];
}): string[] {
  const base =
    options.agentPrompt ??
    "You are a coding agent working in the user's project. Be concise and precise; do what the user asks and say what you did.";
  const environment = [
    "<env>",
    `Working directory: ${options.directory}`,
    `Is directory a git repo: ${options.worktree !== "/" ? "yes" : "no"}`,
    `Platform: ${os.platform()}`,
    `Today's date: ${new Date().toDateString()}`,
    "</env>",
  ].join("\n");
  return [base, environment, ...(options.instructions ?? [])];
}

/** The system prompt of a turn: the agent's prompt, the environment, then the instruction files (upstream's order). */
export async function agentSystem(
  options: { agentPrompt?: string; directory: string; worktree: string; config: Pick<Config, "instructions"> } & Pick<
    InstructionOptions,
    "env" | "log"
  >,
): Promise<string[]> {
  return agentSystemPrompt({ ...options, instructions: await systemInstructions(options) });
}

/** Added to the user's message while the plan agent answers (upstream's plan-mode reminder, our words). */
export const PLAN_MODE_REMINDER = [
  "<system-reminder>",
  "You are in plan mode: this is a read-only phase.",
  "Do not change anything: no file edits or writes, no commands that modify files or system state, no commits or configuration changes,",
  "even if the user asks for them. Read, search and analyse instead, and answer with a plan:",
  "what you would change, where and in which order, and any question that must be settled first.",
  "This rule takes precedence over every other instruction until plan mode ends.",
  "</system-reminder>",
].join("\n");

/** Added to the user's message when the build agent takes over from the plan agent. */
export const BUILD_SWITCH_REMINDER = [
  "<system-reminder>",
  "Plan mode is over: you are now the build agent and may make changes.",
  "What you can do is governed by your current tools and permissions, no longer by the plan-mode restrictions.",
  "</system-reminder>",
].join("\n");

export const COMPACTION_SYSTEM_PROMPT = [
  "You summarize a conversation between a user and a coding agent so that another agent can take over the work.",
  "Do not continue the conversation and do not answer questions in it: write only the summary, in the conversation's language.",
].join("\n");

export function compactionRequest(conversation: string): string {
  return [
    "The conversation so far:",
    "",
    "<conversation>",
    conversation,
    "</conversation>",
    "",
    'Summarize it in Markdown with these sections, each kept even when empty (write "(none)"):',
    "## Goal — what the user wants.",
    "## Facts and decisions — constraints, choices made and why, exact names, paths and commands.",
    "## Done — finished work and verified results.",
    "## In progress — partial changes or open investigations.",
    "## Next steps — the next concrete actions.",
    "## Files — relevant files and why they matter.",
    "Use short bullets.",
  ].join("\n");
}
