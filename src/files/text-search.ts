// Searching file contents with a regular expression: ripgrep's JSON output where `rg` is
// installed, a plain walk otherwise (the same results, slower). Used by the grep tool and by
// find.text, whose answer is ripgrep's match shape. Every search is bounded: at most `limit`
// matches, `timeoutMs` long and (ripgrep) `maxOutputBytes` read; it then answers what it found.
import { spawn } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import { listFiles, matchesGlob } from "./files.js";

export interface TextMatch {
  /** Relative to the searched folder. */
  path: string;
  line_number: number;
  /** The whole line, with its newline. */
  lines: string;
  /** Where the line starts in the file, in bytes. */
  absolute_offset: number;
  submatches: { match: string; start: number; end: number }[];
}

export class SearchPatternError extends Error {}

/** Bounds of a search unless the caller sets its own: every search stops, with what it found so far. */
export const SEARCH_DEFAULTS = { limit: 10_000, timeoutMs: 30_000, maxOutputBytes: 32 * 1024 * 1024 };

export interface SearchOptions {
  include?: string;
  signal?: AbortSignal;
  /** Force the built-in search (tests; machines without ripgrep fall back on their own). */
  engine?: "ripgrep" | "builtin";
  /** At most this many matches. */
  limit?: number;
  /** Stop after this long. */
  timeoutMs?: number;
  /** Stop after ripgrep wrote this much. */
  maxOutputBytes?: number;
}

/** The built-in search skips larger files (and special ones such as /proc/kcore), as ripgrep would take too long over them too. */
const MAX_BUILTIN_FILE_BYTES = 16 * 1024 * 1024;

interface Bounds {
  limit: number;
  deadline: number;
  maxOutputBytes: number;
}

export async function searchText(pattern: string, dir: string, options: SearchOptions = {}): Promise<TextMatch[]> {
  const bounds: Bounds = {
    limit: options.limit ?? SEARCH_DEFAULTS.limit,
    deadline: Date.now() + (options.timeoutMs ?? SEARCH_DEFAULTS.timeoutMs),
    maxOutputBytes: options.maxOutputBytes ?? SEARCH_DEFAULTS.maxOutputBytes,
  };
  const viaRipgrep = options.engine === "builtin" ? undefined : await ripgrep(pattern, dir, options, bounds);
  return viaRipgrep ?? searchBuiltin(pattern, dir, options, bounds);
}

function abortError(): Error {
  return Object.assign(new Error("The operation was aborted"), { name: "AbortError", code: "ABORT_ERR" });
}

/** ripgrep's JSON lines read as they arrive; ripgrep is stopped at the first bound reached. Undefined without ripgrep. */
function ripgrep(pattern: string, dir: string, options: SearchOptions, bounds: Bounds): Promise<TextMatch[] | undefined> {
  if (options.signal?.aborted) return Promise.reject(abortError());
  const args = ["--json", "--hidden", "--glob", "!.git", ...(options.include ? ["--glob", options.include] : []), "--regexp", pattern, "."];
  return new Promise((resolve, reject) => {
    const child = spawn("rg", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    const matches: TextMatch[] = [];
    const decoder = new StringDecoder("utf8");
    let pending = "";
    let written = 0;
    let stderr = "";
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(stop, Math.max(0, bounds.deadline - Date.now()));
    options.signal?.addEventListener("abort", stop, { once: true });
    const done = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", stop);
    };
    child.stdout.on("data", (chunk: Buffer) => {
      if (stopped) return;
      written += chunk.length;
      pending += decoder.write(chunk);
      for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
        const match = parseRipgrepLine(pending.slice(0, end));
        pending = pending.slice(end + 1);
        if (match) matches.push(match);
        if (matches.length >= bounds.limit) return stop();
      }
      if (written > bounds.maxOutputBytes) stop();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += chunk.toString("utf8");
    });
    child.once("error", (error: NodeJS.ErrnoException) => {
      done();
      if (error.code === "ENOENT")
        resolve(undefined); // no ripgrep here
      else reject(error);
    });
    child.once("close", (code) => {
      done();
      if (options.signal?.aborted) return reject(abortError());
      if (stopped || code === 0 || code === 1) return resolve(matches); // 1: no match
      // 2 with output: some files were unreadable; without: the pattern was refused.
      if (code === 2 && written > 0) return resolve(matches);
      if (code === 2) return reject(new SearchPatternError(`Invalid pattern: ${stderr.trim().split("\n").at(-1)}`));
      reject(new Error(`ripgrep failed (exit ${code}): ${stderr.trim()}`));
    });
  });
}

function parseRipgrepLine(line: string): TextMatch | undefined {
  if (!line) return undefined;
  const record = JSON.parse(line) as {
    type: string;
    data: {
      path: { text: string };
      lines: { text: string };
      line_number: number;
      absolute_offset: number;
      submatches: { match: { text: string }; start: number; end: number }[];
    };
  };
  if (record.type !== "match") return undefined;
  const { data } = record;
  return {
    path: data.path.text.replace(/^\.\//, ""),
    line_number: data.line_number,
    lines: data.lines.text,
    absolute_offset: data.absolute_offset,
    submatches: data.submatches.map((s) => ({ match: s.match.text, start: s.start, end: s.end })),
  };
}

async function searchBuiltin(pattern: string, dir: string, options: SearchOptions, bounds: Bounds): Promise<TextMatch[]> {
  const { include, signal } = options;
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, "g");
  } catch (error) {
    throw new SearchPatternError(`Invalid pattern: ${(error as Error).message}`);
  }
  const matches: TextMatch[] = [];
  for (const file of await listFiles(dir, undefined, bounds.deadline)) {
    if (signal?.aborted) throw abortError();
    if (matches.length >= bounds.limit || Date.now() > bounds.deadline) break;
    if (include && !matchesGlob(include, file)) continue;
    const info = await stat(path.join(dir, file)).catch(() => undefined);
    if (!info?.isFile() || info.size > MAX_BUILTIN_FILE_BYTES) continue;
    const content = await readFile(path.join(dir, file)).catch(() => undefined);
    if (!content || content.subarray(0, 8000).includes(0)) continue;
    let offset = 0;
    content
      .toString("utf8")
      .split(/(?<=\n)/)
      .forEach((line, i) => {
        const text = line.replace(/\n$/, "");
        const submatches = [...text.matchAll(regex)]
          .filter((m) => m[0] !== "")
          .map((m) => {
            const start = Buffer.byteLength(text.slice(0, m.index));
            return { match: m[0], start, end: start + Buffer.byteLength(m[0]) };
          });
        if (submatches.length && matches.length < bounds.limit)
          matches.push({ path: file, line_number: i + 1, lines: line, absolute_offset: offset, submatches });
        offset += Buffer.byteLength(line);
      });
  }
  return matches;
}
