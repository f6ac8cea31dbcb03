// A session's stored messages as the AI SDK's model messages.
import type { ModelMessage } from "ai";
import type { MessageWithParts } from "../../storage/store.js";

function userContent(parts: MessageWithParts["parts"]) {
  const content: Exclude<Extract<ModelMessage, { role: "user" }>["content"], string> = [];
  for (const part of parts) {
    if (part.type === "text" && !part.ignored) content.push({ type: "text", text: part.text });
    if (part.type === "file")
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
