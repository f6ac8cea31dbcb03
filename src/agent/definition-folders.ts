// The folders OpenCode reads definitions from (agents, commands, skills, plugins), and the
// markdown files with front matter in them. Apart from the agent loader so that skills can be
// found without importing it (the loader needs the skills' folders for its rules).
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { AgentConfig } from "../../generated/schemas.js";
import { openCodeConfigDirectory } from "../xdg.js";
import { NO_WORKTREE } from "../git/worktree.js";
import { parseAgentMarkdown } from "./agent-markdown.js";

export async function markdownFiles(dir: string): Promise<{ name: string; config: AgentConfig; prompt: string }[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(".md")).sort();
  } catch {
    return [];
  }
  return Promise.all(
    names.map(async (file) => ({ name: file.slice(0, -3), ...parseAgentMarkdown(await readFile(path.join(dir, file), "utf8")) })),
  );
}

/**
 * The folders of one kind of definition (`agent`, `command`): the global one, then the
 * project's .opencode/<kind> from the worktree root down to the directory (closer ones win).
 */
export function definitionFolders(kind: string, directory: string, worktree: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const root = worktree === NO_WORKTREE ? directory : worktree;
  const project: string[] = [];
  for (let dir = directory; ; dir = path.dirname(dir)) {
    project.unshift(path.join(dir, ".opencode", kind), path.join(dir, ".opencode", `${kind}s`));
    if (dir === root || dir === path.dirname(dir)) break;
  }
  const global = path.join(openCodeConfigDirectory(env), kind);
  return [global, `${global}s`, ...project];
}
