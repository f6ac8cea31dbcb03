// Finding and reading AgentPool manifests, in AgentPool's order (later ones win by name): the
// global $XDG_CONFIG_HOME/agentpool/agentpool.yml, the file AGENTPOOL_CONFIG names, then the
// project's agentpool.yml / agentpool.yaml from the worktree root down to the directory. Each
// file is parsed and checked against AgentPool's schema once per version (mtime and size); an
// unreadable file or an invalid entry is reported in the log, naming the file and the key, and
// left out: the rest still loads.
import { stat, readFile } from "node:fs/promises";
import path from "node:path";
import { parseYaml } from "../yaml.js";
import { agentPoolConfigDirectory } from "../../xdg.js";
import { NO_WORKTREE } from "../../git/worktree.js";
import { reportManifestProblem } from "./manifest-log.js";
import { checkAgentEntry, checkSection, checkTeamEntry, problemText } from "./manifest-schema.js";

export type Entry = Record<string, unknown>;

/** One manifest's entries that passed the schema, and what it holds that this server ignores. */
export interface Manifest {
  file: string;
  agents: Map<string, Entry>;
  teams: Map<string, Entry>;
  /** file_agents: a path, or `{ type, path }`. */
  fileAgents: Map<string, string | Entry>;
  /** Top-level keys that are valid AgentPool but do nothing here. */
  ignored: string[];
  /** What was wrong with the file (reported to the log once per version of the file). */
  problems: { level: "warn" | "error"; message: string }[];
}

const NAMES = ["agentpool.yml", "agentpool.yaml"];
/** Top-level keys this server reads; the others are valid AgentPool but do nothing here. */
const READ_KEYS = new Set(["agents", "teams", "file_agents", "name", "config_file_path"]);

export function manifestPaths(directory: string, worktree: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const global = NAMES.map((name) => path.join(agentPoolConfigDirectory(env), name));
  const custom = customManifest(env);
  const root = worktree === NO_WORKTREE ? directory : worktree;
  const project: string[] = [];
  for (let dir = directory; ; dir = path.dirname(dir)) {
    project.unshift(...NAMES.map((name) => path.join(dir, name)));
    if (dir === root || dir === path.dirname(dir)) break;
  }
  return [...new Set([...global, ...(custom ? [custom] : []), ...project])];
}

/** The file AGENTPOOL_CONFIG names (relative to the server's working directory). */
function customManifest(env: NodeJS.ProcessEnv): string | undefined {
  return env.AGENTPOOL_CONFIG ? path.resolve(env.AGENTPOOL_CONFIG) : undefined;
}

const cache = new Map<string, { version: string; manifest: Manifest }>();

/** The manifests that apply to a directory, in order (missing files skipped); never throws. */
export async function readManifests(directory: string, worktree: string, env: NodeJS.ProcessEnv = process.env): Promise<Manifest[]> {
  const manifests: Manifest[] = [];
  for (const file of manifestPaths(directory, worktree, env)) {
    let version: string;
    try {
      const info = await stat(file);
      if (!info.isFile()) continue;
      version = `${info.mtimeMs}:${info.size}`;
    } catch {
      if (file === customManifest(env)) reportManifestProblem("error", file, `AGENTPOOL_CONFIG names ${file}, which cannot be read`);
      continue;
    }
    let known = cache.get(file);
    if (known?.version !== version) {
      known = { version, manifest: await parseManifest(file) };
      cache.set(file, known);
    }
    for (const problem of known.manifest.problems) reportManifestProblem(problem.level, file, problem.message);
    manifests.push(known.manifest);
  }
  return manifests;
}

function isMapping(value: unknown): value is Entry {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

async function parseManifest(file: string): Promise<Manifest> {
  const manifest: Manifest = { file, agents: new Map(), teams: new Map(), fileAgents: new Map(), ignored: [], problems: [] };
  const invalid = (message: string) => manifest.problems.push({ level: "error", message: `Invalid AgentPool manifest ${file}: ${message}` });
  let document: unknown;
  try {
    document = parseYaml(await readFile(file, "utf8"));
  } catch (error) {
    invalid(error instanceof Error ? error.message.split("\n")[0]! : String(error));
    return manifest;
  }
  if (document === null || document === undefined) return manifest;
  if (!isMapping(document)) {
    invalid("the file must hold a mapping (agents:, teams:, ...)");
    return manifest;
  }
  for (const [key, value] of Object.entries(document)) {
    if (key === "agents" || key === "teams") {
      if (value === null || value === undefined) continue;
      if (!isMapping(value)) {
        invalid(`${key}: must be a mapping of names to settings`);
        continue;
      }
      for (const [name, entry] of Object.entries(value)) {
        const problem = key === "agents" ? checkAgentEntry(entry) : checkTeamEntry(entry);
        if (problem) invalid(problemText(`${key}.${name}`, problem));
        else (key === "agents" ? manifest.agents : manifest.teams).set(name, entry as Entry);
      }
      continue;
    }
    const problem = checkSection(key, value);
    if (problem) {
      invalid(problem.what.startsWith("unknown top-level") ? problem.what : problemText(key, problem));
      continue;
    }
    if (key === "file_agents" && isMapping(value))
      for (const [name, entry] of Object.entries(value)) manifest.fileAgents.set(name, entry as string | Entry);
    else if (!READ_KEYS.has(key)) manifest.ignored.push(key);
  }
  return manifest;
}
