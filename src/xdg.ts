// The user folders the server uses, after the XDG base directory convention as OpenCode does.
import os from "node:os";
import path from "node:path";

function xdg(env: NodeJS.ProcessEnv, variable: string, fallback: string[]): string {
  return env[variable] || path.join(os.homedir(), ...fallback);
}

/** Logs: $XDG_STATE_HOME/agentpool. */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(xdg(env, "XDG_STATE_HOME", [".local", "state"]), "agentpool");
}

/** The database: $XDG_DATA_HOME/agentpool. */
export function dataDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(xdg(env, "XDG_DATA_HOME", [".local", "share"]), "agentpool");
}

/** OpenCode's own global config folder, whose agents, commands and opencode.json we read. */
export function openCodeConfigDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(xdg(env, "XDG_CONFIG_HOME", [".config"]), "opencode");
}

/** AgentPool's global config folder, whose agentpool.yml manifest we read. */
export function agentPoolConfigDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(xdg(env, "XDG_CONFIG_HOME", [".config"]), "agentpool");
}
