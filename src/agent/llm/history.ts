// A session's stored messages as the AI SDK's model messages, as upstream OpenCode sends them:
// synthetic texts included, attached text files and folders only through the read output stored
// with them, an assistant message of tool calls only with empty (not null) content, and the
// plan-mode reminders added to the last user message on the way to the model (never stored).
import { readdir, readFile, stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { ModelMessage } from "ai";
import type { FilePartInput } from "../../../generated/schemas.js";
import type { MessageWithParts } from "../../storage/store.js";
import { readForModel } from "../../tool/read.js";
import { BUILD_SWITCH_REMINDER, PLAN_MODE_REMINDER } from "./system-prompt.js";

/** How a compaction request reads in later history: the question its summary answers. */
export const COMPACTION_QUESTION = "What did we do so far?";

/** A stored part of a user message before it gets its ids. */
export type UserPartDraft = { type: "text"; text: string; synthetic: true } | (FilePartInput & { type: "file" });

const readCall = (args: Record<string, unknown>) => `Called the Read tool with the following input: ${JSON.stringify(args)}`;

async function folderListing(folder: string): Promise<string> {
  const entries = (await readdir(folder, { withFileTypes: true })).map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
  return `<path>${folder}</path>\n<type>directory</type>\n<entries>\n${entries.join("\n")}\n</entries>`;
}

/**
 * What an attached file is stored as, as upstream stores it: for a file:// text file (or folder),
 * the read tool's call and output as synthetic texts, then the part (a failed read leaves the part
 * out); for another file:// file, the read call and the part with its content as a data: URL; for
 * a data: text, the call and the decoded text. Other parts are stored as they came.
 */
export async function expandFilePart(part: FilePartInput & { type: "file" }): Promise<UserPartDraft[]> {
  const text = (value: string): UserPartDraft => ({ type: "text", text: value, synthetic: true });
  if (part.url.startsWith("data:") && part.mime === "text/plain") {
    const comma = part.url.indexOf(",");
    const header = part.url.slice(5, comma);
    const data = part.url.slice(comma + 1);
    const decoded = header.endsWith(";base64") ? Buffer.from(data, "base64").toString("utf8") : decodeURIComponent(data);
    return [text(readCall({ filePath: part.filename })), text(decoded), part];
  }
  if (!part.url.startsWith("file:")) return [part];
  const url = new URL(part.url);
  const file = fileURLToPath(url);
  const isFolder = await stat(file).then(
    (s) => s.isDirectory(),
    () => false,
  );
  const mime = isFolder ? "application/x-directory" : part.mime;
  if (mime === "text/plain" || mime === "application/x-directory") {
    // A ?start=&end= range reads those lines only.
    const start = url.searchParams.get("start");
    const end = url.searchParams.get("end");
    const offset = start !== null && !isFolder ? Math.max(Number.parseInt(start, 10), 1) : undefined;
    const limit = offset !== undefined && end ? Number.parseInt(end, 10) - (offset - 1) : undefined;
    const args = { filePath: file, offset, limit };
    try {
      const output = isFolder ? await folderListing(file) : (await readForModel(file, offset, limit)).output;
      return [text(readCall(isFolder ? { filePath: file } : args)), text(output), { ...part, mime }];
    } catch (error) {
      if (isFolder) return [text(`Read tool failed to read ${file} with the following error: ${(error as Error).message}`)];
      return [text(readCall(args)), text(`Read tool failed to read ${file} with the following error: ${(error as Error).message}`)];
    }
  }
  const call = text(readCall({ filePath: file }));
  return readFile(file).then(
    (content) => [call, { ...part, url: `data:${mime};base64,${content.toString("base64")}` }],
    (error: Error) => [call, text(`Read tool failed to read ${file} with the following error: ${error.message}`)],
  );
}

/** File parts whose content the model reads from the synthetic text next to them. */
const SENT_AS_TEXT = new Set(["text/plain", "application/x-directory"]);

function userContent(parts: MessageWithParts["parts"]) {
  const content: Exclude<Extract<ModelMessage, { role: "user" }>["content"], string> = [];
  for (const part of parts) {
    if (part.type === "compaction") content.push({ type: "text", text: COMPACTION_QUESTION });
    if (part.type === "text" && !part.ignored) content.push({ type: "text", text: part.text });
    // A text file or a folder reached the model as the synthetic read output stored before it;
    // other files were stored with their content as a data: URL and go as files.
    if (part.type === "file" && !SENT_AS_TEXT.has(part.mime) && !part.url.startsWith("file:"))
      content.push({ type: "file", data: part.url, mediaType: part.mime, ...(part.filename ? { filename: part.filename } : {}) });
  }
  return content;
}

export function toModelMessages(history: MessageWithParts[]): ModelMessage[] {
  const messages: ModelMessage[] = [];
  for (const { info, parts } of history) {
    if (info.role === "user") {
      const content = userContent(parts);
      if (content.length) messages.push({ role: "user", content });
      continue;
    }
    const assistant: Exclude<Extract<ModelMessage, { role: "assistant" }>["content"], string> = [];
    const results: Extract<ModelMessage, { role: "tool" }>["content"] = [];
    for (const part of parts) {
      // Earlier reasoning goes back to the model (reasoning_content), as upstream sends it.
      if (part.type === "reasoning" && part.text) assistant.push({ type: "reasoning", text: part.text });
      if (part.type === "text" && part.text) assistant.push({ type: "text", text: part.text });
      if (part.type === "tool" && (part.state.status === "completed" || part.state.status === "error")) {
        assistant.push({ type: "tool-call", toolCallId: part.callID, toolName: part.tool, input: part.state.input });
        const value = part.state.status === "completed" ? part.state.output : part.state.error;
        results.push({
          type: "tool-result",
          toolCallId: part.callID,
          toolName: part.tool,
          output: { type: part.state.status === "completed" ? "text" : "error-text", value },
        });
      }
    }
    // Upstream sends `content: ""` with tool calls and no text; the OpenAI-compatible provider
    // would send null, unless the message's own provider metadata (spread last) says otherwise.
    const toolCallsOnly = assistant.some((p) => p.type === "tool-call") && assistant.every((p) => p.type !== "text");
    if (assistant.length)
      messages.push({
        role: "assistant",
        content: assistant,
        ...(toolCallsOnly ? { providerOptions: { openaiCompatible: { content: "" } } } : {}),
      });
    if (results.length) messages.push({ role: "tool", content: results });
  }
  return messages;
}

/**
 * The history with upstream's reminders on its last user message, for the model only: in plan mode
 * a reminder that nothing may be changed; back in build mode right after a plan reply, a note
 * that planning is over. Synthetic text parts, as upstream adds them in memory at every step.
 */
export function withReminders(history: MessageWithParts[], agent: string): MessageWithParts[] {
  const lastUser = history.findLastIndex((m) => m.info.role === "user");
  if (lastUser < 0) return history;
  const lastAssistant = history.findLast((m) => m.info.role === "assistant");
  const reminder =
    agent === "plan"
      ? PLAN_MODE_REMINDER
      : agent === "build" && lastAssistant?.info.role === "assistant" && lastAssistant.info.agent === "plan"
        ? BUILD_SWITCH_REMINDER
        : undefined;
  if (!reminder) return history;
  const { info, parts } = history[lastUser]!;
  const part = {
    id: `${info.id}-reminder`,
    sessionID: info.sessionID,
    messageID: info.id,
    type: "text" as const,
    text: reminder,
    synthetic: true,
  };
  return history.map((m, i) => (i === lastUser ? { info, parts: [...parts, part] } : m));
}

/** A compaction that succeeded: the user message asking for it, answered by a completed summary. */
function isCompleteCompaction(history: MessageWithParts[], index: number): boolean {
  const { info, parts } = history[index]!;
  if (info.role !== "user" || !parts.some((p) => p.type === "compaction")) return false;
  return history.some(
    (m) => m.info.role === "assistant" && m.info.parentID === info.id && m.info.summary && m.info.finish && !m.info.error,
  );
}

/** The history a model sees: everything since the last successful compaction, which stands in for what came before. */
export function sinceLastCompaction(history: MessageWithParts[]): MessageWithParts[] {
  for (let i = history.length - 1; i >= 0; i--) if (isCompleteCompaction(history, i)) return history.slice(i);
  return history;
}

/** The conversation as plain text, for the summary request. */
export function transcript(history: MessageWithParts[]): string {
  const lines: string[] = [];
  for (const { info, parts } of history) {
    const text = parts
      .map((p) => (p.type === "text" && !p.synthetic ? p.text : p.type === "compaction" ? COMPACTION_QUESTION : ""))
      .filter(Boolean)
      .join("\n");
    if (text) lines.push(`[${info.role === "user" ? "User" : "Assistant"}]: ${text}`);
  }
  return lines.join("\n\n");
}
