// The folders `GET /path` reports: the user's home, our state folder, the OpenCode config folder
// (agents and commands are read from there, as OpenCode does), and the request's worktree.
import os from "node:os";
import path from "node:path";
import { stateDirectory } from "../server/logger.js";
import { findWorktree } from "./worktree.js";

export function configDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config"), "opencode");
}

export function describePaths(directory: string, env: NodeJS.ProcessEnv = process.env) {
  return {
    home: os.homedir(),
    state: stateDirectory(env),
    config: configDirectory(env),
    worktree: findWorktree(directory),
    directory,
  };
}
