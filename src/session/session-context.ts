// What the model gets of a session's conversation, for the prompt loop and for v2.session.context
// alike: the messages still in view (a staged revert hides those after it), from the last
// compaction that produced a summary on; a failed compaction stands in for nothing.
import type { Session } from "../../generated/schemas.js";
import { sinceLastCompaction } from "../agent/llm/history.js";
import type { MessageWithParts, Store } from "../storage/store.js";

export async function sessionContext(store: Pick<Store, "listMessages">, session: Session): Promise<MessageWithParts[]> {
  const all = await store.listMessages(session.id);
  const revert = session.revert?.messageID;
  return sinceLastCompaction(revert ? all.filter((m) => m.info.id < revert) : all);
}
