// A session's stored messages as the AI SDK's model messages.
import type { ModelMessage } from "ai";
import type { MessageWithParts } from "../../storage/store.js";

/** How a compaction request reads in later history: the question its summary answers. */
export const COMPACTION_QUESTION = "What did we do so far?";

function userContent(parts: MessageWithParts["parts"]) {
  const content: Exclude<Extract<ModelMessage, { role: "user" }>["content"], string> = [];
  for (const part of parts) {
    if (part.type === "compaction") content.push({ type: "text", text: COMPACTION_QUESTION });
    if (part.type === "text" && !part.ignored) content.push({ type: "text", text: part.text });
    // A file:// text file was already added as synthetic text (its content); others go as files.
    if (part.type === "file" && !(part.url.startsWith("file://") && part.mime.startsWith("text/")))
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
    if (assistant.length) messages.push({ role: "assistant", content: assistant });
    if (results.length) messages.push({ role: "tool", content: results });
  }
  return messages;
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
