// What a tool is: OpenCode's name, a description and JSON Schema parameters for the model, and
// an implementation that reports progress and ends with a title, an output (what the model
// reads) and metadata (what the TUI renders).
import type { EventProperties, EventType } from "../bus/event-bus.js";
import type { JSONSchema7 } from "ai";
import type { QuestionAnswer, QuestionInfo, Todo } from "../../generated/schemas.js";

export interface ToolContext {
  sessionID: string;
  messageID: string;
  callID: string;
  agent: string;
  /** The session's directory; relative paths resolve against it. */
  directory: string;
  /** The project's worktree ("/" outside a repository). */
  worktree: string;
  signal: AbortSignal;
  /** Updates the running tool part (title, metadata such as streamed output). */
  progress(update: { title?: string; metadata?: Record<string, unknown> }): void;
  /** What the part shows if the run is aborted while this tool runs (default: an error). */
  onAbort(result: ToolResult): void;
  /** Publishes an event on the session's directory (file.edited, todo.updated, ...). */
  publish<T extends EventType>(type: T, properties: EventProperties<T>): void;
  /**
   * Asks permission before acting; resolves when allowed, throws PermissionDeniedError when not.
   * `patterns` are what the rules match (a command, a path); `always` what "always" would allow.
   */
  ask(request: { permission: string; patterns: string[]; always: string[]; metadata: Record<string, unknown> }): Promise<void>;
  /** Asks the user questions (question.asked); resolves with the chosen labels per question. */
  question(questions: QuestionInfo[]): Promise<QuestionAnswer[]>;
  /**
   * Runs a prompt as a sub-agent in a child session (a new one, or `sessionID` to continue one);
   * resolves with the sub-agent's final text, or its error.
   */
  subtask(request: {
    description: string;
    prompt: string;
    agent: string;
    sessionID?: string;
    /** Told the child session and model once the child exists, before it runs. */
    started?: (child: { sessionID: string; model: { providerID: string; modelID: string } }) => void;
  }): Promise<{
    sessionID: string;
    text: string;
    error?: string;
    model: { providerID: string; modelID: string };
  }>;
  /** The session's todo list. */
  todos: { get(): Promise<Todo[]>; set(todos: Todo[]): Promise<void> };
}

export interface ToolResult {
  title: string;
  output: string;
  metadata: Record<string, unknown>;
}

export interface ToolDefinition<Args = Record<string, unknown>> {
  id: string;
  description: string;
  parameters: JSONSchema7;
  execute(args: Args, ctx: ToolContext): Promise<ToolResult>;
}

/** An error a tool reports to the model (the part ends in state "error" with this message). */
export class ToolError extends Error {}
