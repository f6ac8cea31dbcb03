// Skills, as OpenCode finds them: a folder with a SKILL.md (front matter `name`, `description`,
// then the instructions) under `.opencode/skill(s)/` of the project (from the worktree root down)
// or the global OpenCode config folder, and under `.claude/skills/` (project and home), so skills
// written for Claude Code work too. The `skill` tool loads one into the conversation.
import { readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseAgentMarkdown } from "../agent/agent-markdown.js";
import { definitionFolders } from "../agent/definition-folders.js";
import { NO_WORKTREE } from "../git/worktree.js";

export interface Skill {
  name: string;
  description?: string;
  /** The SKILL.md file. */
  location: string;
  /** Its instructions (the body after the front matter). */
  content: string;
}

const SKILL_FILE = "SKILL.md";
/** How deep below a skills folder a SKILL.md may sit (skills grouped in sub-folders). */
const MAX_DEPTH = 3;

async function skillFiles(folder: string, depth = 0): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(folder, entry.name);
    if (entry.isFile() && entry.name === SKILL_FILE && depth > 0) found.push(full);
    else if (entry.isDirectory() && depth < MAX_DEPTH) found.push(...(await skillFiles(full, depth + 1)));
  }
  return found;
}

function claudeFolders(directory: string, worktree: string): string[] {
  const root = worktree === NO_WORKTREE ? directory : worktree;
  const project: string[] = [];
  for (let dir = directory; ; dir = path.dirname(dir)) {
    project.unshift(path.join(dir, ".claude", "skills"));
    if (dir === root || dir === path.dirname(dir)) break;
  }
  return [path.join(os.homedir(), ".claude", "skills"), ...project];
}

/** Every skill a directory sees; a later folder (closer to the directory) wins a name. */
export async function loadSkills(directory: string, worktree: string, env: NodeJS.ProcessEnv = process.env): Promise<Skill[]> {
  const folders = [...claudeFolders(directory, worktree), ...definitionFolders("skill", directory, worktree, env)];
  const byName = new Map<string, Skill>();
  for (const folder of folders) {
    for (const file of await skillFiles(folder)) {
      const { config, prompt } = parseAgentMarkdown(await readFile(file, "utf8"));
      const front = config as { name?: unknown; description?: unknown };
      const name = typeof front.name === "string" && front.name ? front.name : path.basename(path.dirname(file));
      byName.set(name, {
        name,
        ...(typeof front.description === "string" ? { description: front.description } : {}),
        location: file,
        content: prompt,
      });
    }
  }
  return [...byName.values()];
}
