// The folders `GET /path` reports: the user's home, our state folder, the OpenCode config folder
// (agents and commands are read from there, as OpenCode does), and the request's worktree.
import os from "node:os";
import { openCodeConfigDirectory, stateDirectory } from "../xdg.js";
import { findWorktree } from "../git/worktree.js";

export function describePaths(directory: string, env: NodeJS.ProcessEnv = process.env) {
  return {
    home: os.homedir(),
    state: stateDirectory(env),
    config: openCodeConfigDirectory(env),
    worktree: findWorktree(directory),
    directory,
  };
}
