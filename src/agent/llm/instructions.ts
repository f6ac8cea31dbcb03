// The instruction files a model sees in its system prompt, found as upstream OpenCode finds them:
// the project's AGENTS.md (else CLAUDE.md, else the deprecated CONTEXT.md) from the working
// directory up to the worktree root, the user's global AGENTS.md (else ~/.claude/CLAUDE.md), and the
// files and globs of the `instructions` config key. Each becomes "Instructions from: <path>" and
// its text. URLs in `instructions` are not fetched here (no network): they are skipped with a log line.
import { readdir, readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Config } from "../../../generated/schemas.js";
import { globToRegExp } from "../../files/files.js";
import { openCodeConfigDirectory } from "../../xdg.js";

export interface InstructionOptions {
  /** The session's working directory. */
  directory: string;
  /** The project's worktree root (upstream stops looking there; "/" outside git). */
  worktree: string;
  config: Pick<Config, "instructions">;
  env?: NodeJS.ProcessEnv;
  log?: { info(data: object, message: string): void };
}

/** Upstream's flags read "true" or "1" as on. */
function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name]?.toLowerCase();
  return value === "true" || value === "1";
}

function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME || os.homedir();
}

function claudeDisabled(env: NodeJS.ProcessEnv): boolean {
  return flag(env, "OPENCODE_DISABLE_CLAUDE_CODE") || flag(env, "OPENCODE_DISABLE_CLAUDE_CODE_PROMPT");
}

/** The project file names in order of preference: the first one found anywhere up the tree wins. */
function projectNames(env: NodeJS.ProcessEnv): string[] {
  return ["AGENTS.md", ...(claudeDisabled(env) ? [] : ["CLAUDE.md"]), "CONTEXT.md"];
}

/** A personal variant next to an instruction file (AGENTS.local.md), also read when present. */
const localVariant = (name: string) => name.replace(/\.md$/, ".local.md");

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** The folders from `start` up to `stop` (or the filesystem root when `stop` is not above it). */
function foldersUp(start: string, stop: string): string[] {
  const folders: string[] = [];
  let current = path.resolve(start);
  for (;;) {
    folders.push(current);
    const parent = path.dirname(current);
    if (current === path.resolve(stop) || parent === current) break;
    current = parent;
  }
  return folders;
}

/** Every `name` file in the folders from `start` up to `stop`, nearest first. */
async function findUp(name: string, start: string, stop: string): Promise<string[]> {
  const found: string[] = [];
  for (const folder of foldersUp(start, stop)) if (await isFile(path.join(folder, name))) found.push(path.join(folder, name));
  return found;
}

const MAGIC = /[*?[{]/;
const SKIPPED = new Set([".git", "node_modules"]);

/** Files under `cwd` matching a glob (relative to it), as absolute paths in a stable order. */
async function glob(pattern: string, cwd: string): Promise<string[]> {
  const segments = pattern.split("/").filter((s) => s && s !== ".");
  const fixed: string[] = [];
  while (segments.length > 1 && !MAGIC.test(segments[0]!)) fixed.push(segments.shift()!);
  const base = path.join(cwd, ...fixed);
  if (!segments.some((s) => MAGIC.test(s))) {
    const file = path.join(base, ...segments);
    return (await isFile(file)) ? [file] : [];
  }
  const regex = globToRegExp(segments.join("/"));
  const depth = segments.includes("**") || segments.some((s) => s.includes("**")) ? Infinity : segments.length;
  const out: string[] = [];
  const walk = async (dir: string, relative: string, level: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (level + 1 < depth && !SKIPPED.has(entry.name)) await walk(full, rel, level + 1);
      } else if (regex.test(rel) && (entry.isFile() || (await isFile(full)))) out.push(full);
    }
  };
  await walk(base, "", 0);
  return out;
}

/** A relative glob tried in every folder from `start` up to `stop`. */
async function globUp(pattern: string, start: string, stop: string): Promise<string[]> {
  const found: string[] = [];
  for (const folder of foldersUp(start, stop)) found.push(...(await glob(pattern, folder)));
  return found;
}

const isUrl = (entry: string) => entry.startsWith("https://") || entry.startsWith("http://");

/** The instruction files of a session, in the order the model sees them. */
export async function instructionPaths(options: InstructionOptions): Promise<string[]> {
  const env = options.env ?? process.env;
  const home = homeOf(env);
  const paths = new Set<string>();
  const projectConfigDisabled = flag(env, "OPENCODE_DISABLE_PROJECT_CONFIG");

  // Project: the first file name found anywhere between the directory and the worktree root.
  if (!projectConfigDisabled) {
    for (const name of projectNames(env)) {
      const files = await findUp(name, options.directory, options.worktree);
      const locals = await findUp(localVariant(name), options.directory, options.worktree);
      if (!files.length && !locals.length) continue;
      for (const file of [...files, ...locals]) paths.add(path.resolve(file));
      break;
    }
  }

  // Global: the first folder that has one (OPENCODE_CONFIG_DIR, the config folder, ~/.claude).
  const groups: string[][] = [];
  const add = (folder: string, name: string) => groups.push([path.join(folder, name), path.join(folder, localVariant(name))]);
  if (env.OPENCODE_CONFIG_DIR) add(env.OPENCODE_CONFIG_DIR, "AGENTS.md");
  add(openCodeConfigDirectory(env), "AGENTS.md");
  if (!claudeDisabled(env)) add(path.join(home, ".claude"), "CLAUDE.md");
  for (const group of groups) {
    const present = [];
    for (const file of group) if (await isFile(file)) present.push(path.resolve(file));
    present.forEach((file) => paths.add(file));
    if (present.length) break;
  }

  // The `instructions` config key: absolute paths, ~/ paths and globs relative to the project.
  for (const entry of options.config.instructions ?? []) {
    if (isUrl(entry)) continue;
    const expanded = entry.startsWith("~/") ? path.join(home, entry.slice(2)) : entry;
    let matches: string[];
    if (path.isAbsolute(expanded)) matches = await glob(path.basename(expanded), path.dirname(expanded));
    else if (!projectConfigDisabled) matches = await globUp(expanded, options.directory, options.worktree);
    else if (env.OPENCODE_CONFIG_DIR) matches = await globUp(expanded, env.OPENCODE_CONFIG_DIR, env.OPENCODE_CONFIG_DIR);
    else {
      options.log?.info(
        { instruction: entry },
        "relative instruction skipped: project config is disabled and OPENCODE_CONFIG_DIR is not set",
      );
      matches = [];
    }
    for (const file of matches) paths.add(path.resolve(file));
  }
  return [...paths];
}

/** The system prompt sections of the instruction files: "Instructions from: <path>" and the text (empty files left out). */
export async function systemInstructions(options: InstructionOptions): Promise<string[]> {
  const files = await instructionPaths(options);
  const urls = (options.config.instructions ?? []).filter(isUrl);
  if (urls.length) options.log?.info({ urls }, "instruction URLs are not fetched (no network): skipped");
  const sections: string[] = [];
  for (const file of files) {
    const text = await readFile(file, "utf8").catch(() => "");
    if (text) sections.push(`Instructions from: ${file}\n${text}`);
  }
  return sections;
}
