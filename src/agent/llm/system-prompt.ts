// The system prompt of LLM agents (our own wording), with the environment the model works in.
import os from "node:os";

export const TITLE_SYSTEM_PROMPT = [
  "You write the title of a conversation between a user and a coding assistant.",
  "Answer with the title only: one line, at most 50 characters, in the user's language,",
  "naming what the user wants. No quotes, no punctuation at the end, no preamble.",
].join("\n");

export function agentSystemPrompt(options: { agentPrompt?: string; directory: string; worktree: string }): string[] {
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
  return [base, environment];
}

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
