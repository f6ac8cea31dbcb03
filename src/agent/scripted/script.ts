// A reply script for the `scripted` provider: rules that match the prompt text and the steps each
// one plays. Written by a user in YAML or JSON (YAML is a superset), checked when loaded so a typo
// is reported with its place instead of producing a strange reply.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "../../package-root.js";
import { parseYaml } from "../yaml.js";

export type ScriptStep =
  | { text: string }
  | { reasoning: string }
  /** A tool call; it really runs through the tools and the permission rules. */
  | { tool: string; input?: Record<string, unknown> }
  /** Shorthand for a call of the `question` tool with one question. */
  | { question: string; header?: string; options?: string[]; multiple?: boolean }
  /** The model call fails with this message (a provider error, not retried). */
  | { error: string }
  | { delay: number };

export interface ScriptRule {
  /** A regular expression (case-insensitive) tested on the prompt's text; a rule without one always matches. */
  match?: string;
  steps: ScriptStep[];
}

export interface Script {
  /** Shown as the model's name. */
  name?: string;
  /** Pause between streamed chunks, so a client sees the reply arrive (default 15 ms). */
  chunkDelayMs?: number;
  rules: ScriptRule[];
}

export const DEMO_SCRIPT_FILE = path.join(PACKAGE_ROOT, "src", "agent", "scripted", "demo-script.yaml");

const STEP_KINDS = ["text", "reasoning", "tool", "question", "error", "delay"] as const;

function fail(file: string, where: string, message: string): never {
  throw new Error(`${file}: ${where}: ${message}`);
}

function checkStep(file: string, where: string, step: unknown): ScriptStep {
  if (!step || typeof step !== "object" || Array.isArray(step)) fail(file, where, "a step is an object such as {text: ...}");
  const kinds = STEP_KINDS.filter((kind) => kind in step);
  if (kinds.length !== 1) fail(file, where, `a step has exactly one of ${STEP_KINDS.join(", ")}`);
  const value = (step as Record<string, unknown>)[kinds[0]!];
  if (kinds[0] === "delay" ? typeof value !== "number" : typeof value !== "string") fail(file, where, `bad value for ${kinds[0]}`);
  const input = (step as { input?: unknown }).input;
  if (input !== undefined && (typeof input !== "object" || input === null || Array.isArray(input)))
    fail(file, where, "a tool's input is an object");
  return step as ScriptStep;
}

export function parseScript(text: string, file: string): Script {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    fail(file, "parse", (error as Error).message);
  }
  const rules = (data as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules) || rules.length === 0) fail(file, "rules", "a script has a non-empty list of rules");
  const checked = rules.map((rule, i): ScriptRule => {
    const where = `rules[${i}]`;
    const { match, steps } = (rule ?? {}) as { match?: unknown; steps?: unknown };
    if (match !== undefined && typeof match !== "string") fail(file, where, "match is a string (a regular expression)");
    if (typeof match === "string") {
      try {
        new RegExp(match, "i");
      } catch (error) {
        fail(file, where, (error as Error).message);
      }
    }
    if (!Array.isArray(steps)) fail(file, where, "steps is a list");
    return { ...(match !== undefined ? { match } : {}), steps: steps.map((step, j) => checkStep(file, `${where}.steps[${j}]`, step)) };
  });
  const { name, chunkDelayMs } = data as { name?: unknown; chunkDelayMs?: unknown };
  return {
    ...(typeof name === "string" ? { name } : {}),
    ...(typeof chunkDelayMs === "number" ? { chunkDelayMs } : {}),
    rules: checked,
  };
}

/** Scripts read before, by file, with the size and time of change they were read at. */
const loaded = new Map<string, { size: number; mtimeMs: number; script: Script }>();

/** The script in a file; read and parsed again only when the file changed (it is asked for at every model call). */
export function loadScript(file: string): Script {
  const { size, mtimeMs } = statSync(file);
  const known = loaded.get(file);
  if (known && known.size === size && known.mtimeMs === mtimeMs) return known.script;
  const script = parseScript(readFileSync(file, "utf8"), file);
  if (loaded.size >= 100) loaded.clear();
  loaded.set(file, { size, mtimeMs, script });
  return script;
}

/** The first rule whose pattern matches the prompt (or that has none). */
export function matchRule(script: Script, prompt: string): ScriptRule | undefined {
  return script.rules.find((rule) => rule.match === undefined || new RegExp(rule.match, "i").test(prompt));
}

/**
 * A rule's steps as model calls: each call plays the steps up to and including a run of tool
 * calls, whose results the next call sees. The n-th call of a reply plays segment n.
 */
export function segments(steps: ScriptStep[]): ScriptStep[][] {
  const result: ScriptStep[][] = [[]];
  steps.forEach((step, i) => {
    result.at(-1)!.push(step);
    const next = steps[i + 1];
    const isCall = "tool" in step || "question" in step;
    if (isCall && next && !("tool" in next) && !("question" in next)) result.push([]);
  });
  return result;
}
