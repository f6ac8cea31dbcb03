// Finding files and folders by a fuzzy name (find.files, /api/fs/find), case-insensitive. Paths
// holding every character of the query in order rank first (matches in the file name, at word
// starts and in runs before others, shorter paths before longer ones); then, as upstream's
// typo-tolerant finder, paths holding at least half of a longer query's characters in order
// (`@READ` also finds .gitignore and opencode.json), most characters first; a query of up to
// three characters takes paths holding any one of them.
import path from "node:path";
import { listFiles } from "./files.js";

export type EntryType = "file" | "directory";

export interface FoundEntry {
  /** Relative to the searched root; folders end with "/". */
  path: string;
  type: EntryType;
}

/** A fuzzy score of `query` in `candidate`, or -1 when its characters do not all appear in order. */
export function fuzzyScore(query: string, candidate: string): number {
  const q = query.toLowerCase();
  const c = candidate.toLowerCase();
  if (!q) return 0;
  const nameStart = c.replace(/\/$/, "").lastIndexOf("/") + 1;
  let score = 0;
  let from = 0;
  let previous = -2;
  for (const [i, char] of [...q].entries()) {
    const at = c.indexOf(char, from);
    if (at < 0) return -1;
    score += 1;
    if (candidate[at] === query[i]) score += 0.5; // the same case as typed (upstream ranks README first for READ)
    if (at === previous + 1) score += 3; // a run
    if (at === 0 || "/._-".includes(c[at - 1]!)) score += 2; // a word start
    if (at >= nameStart) score += 2; // in the file name, not the folders
    previous = at;
    from = at + 1;
  }
  if (c.replace(/\/$/, "").slice(nameStart).startsWith(q)) score += 5;
  return score - candidate.length / 100;
}

/** How long a listing may take (e.g. of ?directory=/) before it answers what it found. */
const LISTING_TIMEOUT_MS = 5_000;

/** The files (and their folders) of a project, as many as are listed within `timeoutMs`. */
export async function projectEntries(root: string, timeoutMs = LISTING_TIMEOUT_MS): Promise<FoundEntry[]> {
  const files = await listFiles(root, undefined, Date.now() + timeoutMs);
  const folders = new Set<string>();
  for (const file of files) {
    for (let dir = path.dirname(file); dir !== "."; dir = path.dirname(dir)) folders.add(`${dir}/`);
  }
  return [
    ...[...folders].sort().map((p) => ({ path: p, type: "directory" as const })),
    ...files.map((p) => ({ path: p, type: "file" as const })),
  ];
}

/** How many characters of `query` appear in order in `candidate` (the longest common subsequence). */
export function charactersInOrder(query: string, candidate: string): number {
  const q = query.toLowerCase();
  const c = candidate.toLowerCase();
  let previous = new Array<number>(c.length + 1).fill(0);
  for (const char of q) {
    const row = new Array<number>(c.length + 1).fill(0);
    for (let j = 1; j <= c.length; j++) row[j] = c[j - 1] === char ? previous[j - 1]! + 1 : Math.max(previous[j]!, row[j - 1]!);
    previous = row;
  }
  return previous[c.length]!;
}

/** How many of a query's characters a typo-tolerant match must find in order. */
function typoThreshold(query: string): number {
  return query.length <= 3 ? 1 : Math.ceil(query.length / 2);
}

/** `path`'s rank for `query` (higher first), or undefined when it does not match at all. */
function rank(query: string, path: string): number | undefined {
  const exact = fuzzyScore(query, path);
  if (exact >= 0) return 1_000 + exact;
  const found = charactersInOrder(query, path);
  return found >= typoThreshold(query) ? found - path.length / 1_000 : undefined;
}

export async function findEntries(root: string, query: string, options: { type?: EntryType; limit?: number } = {}): Promise<FoundEntry[]> {
  const entries = (await projectEntries(root)).filter((entry) => !options.type || entry.type === options.type);
  const ranked = query
    ? entries
        .map((entry) => ({ entry, score: rank(query, entry.path) }))
        .filter((r): r is { entry: FoundEntry; score: number } => r.score !== undefined)
        .sort((a, b) => b.score - a.score || a.entry.path.localeCompare(b.entry.path))
        .map((r) => r.entry)
    : entries;
  return ranked.slice(0, options.limit ?? 100);
}
