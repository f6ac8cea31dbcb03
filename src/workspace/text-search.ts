// Searching file contents with a regular expression: ripgrep's JSON output where `rg` is
// installed, a plain walk otherwise (the same results, slower). Used by the grep tool and by
// find.text, whose answer is ripgrep's match shape.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { listFiles, matchesGlob } from "./files.js";

const run = promisify(execFile);

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

export interface SearchOptions {
  include?: string;
  signal?: AbortSignal;
  /** Force the built-in search (tests; machines without ripgrep fall back on their own). */
  engine?: "ripgrep" | "builtin";
}

export async function searchText(pattern: string, dir: string, options: SearchOptions = {}): Promise<TextMatch[]> {
  const viaRipgrep = options.engine === "builtin" ? undefined : await ripgrep(pattern, dir, options);
  return viaRipgrep ?? searchBuiltin(pattern, dir, options.include);
}

async function ripgrep(pattern: string, dir: string, options: SearchOptions): Promise<TextMatch[] | undefined> {
  try {
    const args = [
      "--json",
      "--hidden",
      "--glob",
      "!.git",
      ...(options.include ? ["--glob", options.include] : []),
      "--regexp",
      pattern,
      ".",
    ];
    const { stdout } = await run("rg", args, { cwd: dir, maxBuffer: 64 * 1024 * 1024, signal: options.signal });
    return parseRipgrep(stdout);
  } catch (error) {
    const failure = error as { code?: number | string; stdout?: string; stderr?: string };
    if (failure.code === 1) return []; // no match
    if (failure.code === "ENOENT") return undefined; // no ripgrep here
    if (failure.code === 2 && failure.stdout) return parseRipgrep(failure.stdout); // some files unreadable
    if (failure.code === 2) throw new SearchPatternError(`Invalid pattern: ${(failure.stderr ?? "").trim().split("\n").at(-1)}`);
    throw error;
  }
}

function parseRipgrep(stdout: string): TextMatch[] {
  const matches: TextMatch[] = [];
  for (const line of stdout.split("\n")) {
    if (!line) continue;
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
    if (record.type !== "match") continue;
    const { data } = record;
    matches.push({
      path: data.path.text.replace(/^\.\//, ""),
      line_number: data.line_number,
      lines: data.lines.text,
      absolute_offset: data.absolute_offset,
      submatches: data.submatches.map((s) => ({ match: s.match.text, start: s.start, end: s.end })),
    });
  }
  return matches;
}

async function searchBuiltin(pattern: string, dir: string, include: string | undefined): Promise<TextMatch[]> {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, "g");
  } catch (error) {
    throw new SearchPatternError(`Invalid pattern: ${(error as Error).message}`);
  }
  const matches: TextMatch[] = [];
  for (const file of await listFiles(dir)) {
    if (include && !matchesGlob(include, file)) continue;
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
        if (submatches.length) matches.push({ path: file, line_number: i + 1, lines: line, absolute_offset: offset, submatches });
        offset += Buffer.byteLength(line);
      });
  }
  return matches;
}
