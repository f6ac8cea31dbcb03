// OpenCode configuration, read the way OpenCode reads it, so that an opencode.json that works
// with `opencode` works here: the global files ($XDG_CONFIG_HOME/opencode/), OPENCODE_CONFIG, the
// project's files from the worktree root down to the directory (closer ones win), then
// OPENCODE_CONFIG_CONTENT. JSONC (comments, trailing commas) with {env:VAR} and {file:path}
// substitutions; objects merge deeply, `plugin` and `instructions` lists add up.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parse as parseJsonc, printParseErrorCode, type ParseError } from "jsonc-parser";
import type { Config } from "../../generated/schemas.js";
import { NamedError } from "../domain-errors.js";
import { openCodeConfigDirectory } from "../xdg.js";
import { NO_WORKTREE, findWorktree } from "../git/worktree.js";

export const CONFIG_SCHEMA_URL = "https://opencode.ai/config.json";

/** Lists whose entries from every file are kept (others are replaced by the closer file's). */
const ADDITIVE_LISTS = new Set(["plugin", "instructions"]);

/** A config file the server cannot use: upstream answers it as its own failure (500 ConfigInvalidError). */
export class ConfigError extends NamedError {
  constructor(file: string, problem: string) {
    super("ConfigInvalidError", `Invalid configuration in ${file}: ${problem}`, { path: file }, "server");
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function mergeConfig(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    if (isObject(current) && isObject(value)) out[key] = mergeConfig(current, value);
    else if (ADDITIVE_LISTS.has(key) && Array.isArray(current) && Array.isArray(value)) out[key] = [...new Set([...current, ...value])];
    else out[key] = value;
  }
  return out;
}

function expandHome(file: string): string {
  return file.startsWith("~/") ? path.join(os.homedir(), file.slice(2)) : file;
}

/** {env:VAR} and {file:path} in the raw text; file contents are escaped to stay valid inside a JSON string. */
async function substitute(text: string, file: string, env: NodeJS.ProcessEnv): Promise<string> {
  let out = text.replace(/\{env:([^}]+)\}/g, (_m, name: string) => env[name.trim()] ?? "");
  for (const match of [...out.matchAll(/\{file:([^}]+)\}/g)]) {
    const target = path.resolve(path.dirname(file), expandHome(match[1]!.trim()));
    let content: string;
    try {
      content = (await readFile(target, "utf8")).trim();
    } catch {
      throw new ConfigError(file, `{file:${match[1]}} names ${target}, which cannot be read`);
    }
    out = out.replace(match[0], JSON.stringify(content).slice(1, -1));
  }
  return out;
}

export async function readConfigFile(file: string, env: NodeJS.ProcessEnv): Promise<Json> {
  const text = await substitute(await readFile(file, "utf8"), file, env);
  return parseConfigText(text, file);
}

function parseConfigText(text: string, source: string): Json {
  const errors: ParseError[] = [];
  const value = parseJsonc(text, errors, { allowTrailingComma: true });
  if (errors.length) {
    const first = errors[0]!;
    const line = text.slice(0, first.offset).split("\n").length;
    throw new ConfigError(source, `${printParseErrorCode(first.error)} at line ${line}`);
  }
  if (!isObject(value)) throw new ConfigError(source, "the file must hold a JSON object");
  return value;
}

const GLOBAL_FILES = ["config.json", "opencode.json", "opencode.jsonc"];
const PROJECT_FILES = [
  "opencode.json",
  "opencode.jsonc",
  path.join(".opencode", "opencode.json"),
  path.join(".opencode", "opencode.jsonc"),
];

/** The folders from the worktree root (or the directory itself, outside a repository) down to the directory. */
function projectFolders(directory: string): string[] {
  const worktree = findWorktree(directory);
  const root = worktree === NO_WORKTREE ? directory : worktree;
  const folders: string[] = [];
  for (let dir = directory; ; dir = path.dirname(dir)) {
    folders.unshift(dir);
    if (dir === root || dir === path.dirname(dir)) break;
  }
  return folders;
}

export interface LoadedConfig {
  config: Config;
  /** The files it came from, in the order they were merged. */
  files: string[];
}

export class ConfigService {
  private readonly cache = new Map<string, Promise<LoadedConfig>>();

  constructor(
    /** Checks a merged configuration against the spec's Config schema; answers a problem or undefined. */
    private readonly check: (config: Json) => string | undefined,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Where the global files live. */
  globalDirectory(): string {
    return openCodeConfigDirectory(this.env);
  }

  private async merge(files: string[], inline?: string): Promise<LoadedConfig> {
    let merged: Json = {};
    const used: string[] = [];
    for (const file of files) {
      if (!existsSync(file)) continue;
      merged = mergeConfig(merged, await readConfigFile(file, this.env));
      used.push(file);
    }
    if (inline)
      merged = mergeConfig(
        merged,
        parseConfigText(await substitute(inline, path.join(process.cwd(), "OPENCODE_CONFIG_CONTENT"), this.env), "OPENCODE_CONFIG_CONTENT"),
      );
    const problem = this.check(merged);
    if (problem) throw new ConfigError(used.at(-1) ?? "the configuration", problem);
    return { config: merged as Config, files: used };
  }

  /** The global configuration alone. */
  async global(): Promise<LoadedConfig> {
    return this.merge(GLOBAL_FILES.map((name) => path.join(this.globalDirectory(), name)));
  }

  /** A directory's configuration: global, OPENCODE_CONFIG, project files, OPENCODE_CONFIG_CONTENT. */
  load(directory: string): Promise<LoadedConfig> {
    let loaded = this.cache.get(directory);
    if (!loaded) {
      const files = [
        ...GLOBAL_FILES.map((name) => path.join(this.globalDirectory(), name)),
        ...(this.env.OPENCODE_CONFIG ? [path.resolve(expandHome(this.env.OPENCODE_CONFIG))] : []),
        ...projectFolders(directory).flatMap((dir) => PROJECT_FILES.map((name) => path.join(dir, name))),
      ];
      loaded = this.merge(files, this.env.OPENCODE_CONFIG_CONTENT);
      this.cache.set(directory, loaded);
      // A failed load is not kept: the user fixes the file and tries again.
      loaded.catch(() => this.cache.delete(directory));
    }
    return loaded;
  }

  async forDirectory(directory: string): Promise<Config> {
    return (await this.load(directory)).config;
  }

  /**
   * The file a change to a directory's configuration goes to: the closest existing project
   * file, else a new opencode.json at the worktree root (or the directory, outside a repository).
   */
  async projectFile(directory: string): Promise<string> {
    const folders = projectFolders(directory);
    for (const dir of [...folders].reverse()) {
      for (const name of ["opencode.jsonc", "opencode.json"]) if (existsSync(path.join(dir, name))) return path.join(dir, name);
    }
    return path.join(folders[0]!, "opencode.json");
  }

  /** The global file a change goes to: the existing one, else opencode.json. */
  globalFile(): string {
    const dir = this.globalDirectory();
    return (
      ["opencode.jsonc", "opencode.json", "config.json"].map((name) => path.join(dir, name)).find(existsSync) ??
      path.join(dir, "opencode.json")
    );
  }

  /** Forgets what was read (after a config file changed). */
  /** Forgets every directory's configuration. */
  closeAll(): void {
    this.invalidate();
  }

  invalidate(): void {
    this.cache.clear();
  }

  /** Forgets what was read for one directory (its instance was disposed). */
  forget(directory: string): void {
    this.cache.delete(directory);
  }

  /** The directories whose configuration is loaded: the live instances. */
  loadedDirectories(): string[] {
    return [...this.cache.keys()];
  }
}

/** The configuration as GET /config shows it: with the fields upstream always fills in. */
export function withDefaults(config: Config): Config {
  return {
    $schema: CONFIG_SCHEMA_URL,
    command: {},
    plugin: [],
    username: os.userInfo().username,
    mode: {},
    agent: {},
    ...config,
  } as Config;
}
