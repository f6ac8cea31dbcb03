// The one limit on what any tool answers the model, as upstream applies it: at most 2000 lines
// and 50 KB (51200 bytes) from the start; beyond that the whole output is saved to a file under
// the data folder's tool-output/ and the model is told where, and how to look into it.
import { readdir, stat, unlink, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { createId } from "../id.js";
import { dataDirectory } from "../xdg.js";
import type { ToolDefinition, ToolResult } from "./tool.js";

export const MAX_LINES = 2000;
export const MAX_BYTES = 50 * 1024;
/** Saved outputs are kept a week, as upstream keeps them. */
const RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** Where full outputs are saved (tools may read there without asking for an outside directory). */
export function toolOutputDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(dataDirectory(env), "tool-output");
}

async function removeOld(dir: string): Promise<void> {
  const cutoff = Date.now() - RETENTION_MS;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (info && info.mtimeMs < cutoff) await unlink(file).catch(() => undefined);
  }
}

export type Truncated = { content: string; truncated: false } | { content: string; truncated: true; outputPath: string };

/**
 * `text` cut to the limits (whole lines from the start). `delegate` says whether the agent has the
 * task tool: then the model is told to hand the file to a sub-agent instead of reading it itself.
 */
export async function truncateOutput(text: string, delegate: boolean): Promise<Truncated> {
  const lines = text.split("\n");
  const totalBytes = Buffer.byteLength(text, "utf8");
  if (lines.length <= MAX_LINES && totalBytes <= MAX_BYTES) return { content: text, truncated: false };
  const kept: string[] = [];
  let bytes = 0;
  let hitBytes = false;
  for (const line of lines.slice(0, MAX_LINES)) {
    const size = Buffer.byteLength(line, "utf8") + (kept.length ? 1 : 0);
    if (bytes + size > MAX_BYTES) {
      hitBytes = true;
      break;
    }
    kept.push(line);
    bytes += size;
  }
  const removed = hitBytes ? `${totalBytes - bytes} bytes` : `${lines.length - kept.length} lines`;
  const dir = toolOutputDirectory();
  await mkdir(dir, { recursive: true });
  void removeOld(dir);
  // Named like upstream's saved outputs: "tool_" and an id that sorts by time.
  const outputPath = path.join(dir, `tool_${createId("prt").slice(4)}`);
  await writeFile(outputPath, text);
  const next = delegate
    ? "Ask the explore agent (Task tool) to look through that file with Grep and Read (offset/limit) for what you need; reading all of it yourself would fill your context."
    : "Look through that file with Grep, or Read the part you need with offset/limit.";
  const hint = `The tool ran fine, but its output was too long and has been cut here. The complete output is in: ${outputPath}\n${next}`;
  return { content: `${kept.join("\n")}\n\n...${removed} truncated...\n\n${hint}`, truncated: true, outputPath };
}

/** A tool result within the limits; `truncated` (and `outputPath`) added to its metadata. */
export async function limitResult(result: ToolResult, delegate: boolean): Promise<ToolResult> {
  const cut = await truncateOutput(result.output, delegate);
  // A tool that already shortened its answer itself (read, glob, grep) keeps saying so.
  const already = result.metadata.truncated === true;
  return {
    ...result,
    output: cut.content,
    metadata: { ...result.metadata, truncated: already || cut.truncated, ...(cut.truncated ? { outputPath: cut.outputPath } : {}) },
  };
}

/** The tool with the limit applied to every answer it gives. */
export function withOutputLimit<A>(tool: ToolDefinition<A>, delegate: boolean): ToolDefinition<A> {
  return { ...tool, execute: async (args, ctx) => limitResult(await tool.execute(args, ctx), delegate) };
}
