// Which stored messages are runs that never finished: assistant messages without `time.completed`.
import type { Message } from "../../generated/schemas.js";

export function isUnfinished(message: Message): boolean {
  return message.role === "assistant" && message.time.completed == null;
}
