// What the pool knows of an agent: the spec's Agent, plus what runs it (an external command, a
// team's members). Kept apart from the loader so that manifests and teams can name it.
import type { Agent } from "../../generated/schemas.js";

/** A team (AgentPool's `teams`): its members run as child sessions, side by side or one after another. */
export interface TeamDefinition {
  mode: "parallel" | "sequential";
  members: string[];
  /** Added to each member's prompt. */
  sharedPrompt?: string;
  /** Why the team cannot run (an unknown member, a loop); prompting it fails with this. */
  problem?: string;
}

/** An agent as the pool runs it: the spec's Agent plus the tools it turns off. */
export interface AgentDefinition extends Agent {
  tools?: Record<string, boolean>;
  disable?: boolean;
  /**
   * An external agent: the command (argv) that starts it, speaking ACP over stdio, its extra
   * environment, its working directory, and what to install when the command is missing.
   */
  external?: { command: string[]; env?: Record<string, string>; cwd?: string; install?: string };
  team?: TeamDefinition;
  /** The AgentPool manifest an agent comes from. */
  source?: string;
}

/** The model shown on an external agent's messages: the pool's "acp" provider and the agent's name. */
export const ACP_PROVIDER = "acp";
