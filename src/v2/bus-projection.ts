// Which bus events the v2 session log projects, and what each needs to know first: the refs
// (message, part, call ids) whose logged events decide what the projection logs. The log reads
// those before it projects, so the projection itself (./turn-projection.ts) stays synchronous on
// either database.
import type { Message, Part } from "../../generated/schemas.js";
import type { GlobalFrame } from "../bus/event-bus.js";
import type { TurnProjection } from "./turn-projection.js";

export type BusProjection =
  | { kind: "deleted"; sessionID: string }
  | {
      kind: "turn";
      sessionID: string;
      directory: string;
      refs: string[];
      delta?: { partID: string };
      step: (turns: TurnProjection) => void;
    };

export function busProjection(frame: GlobalFrame): BusProjection | undefined {
  const payload = frame.payload;
  if (payload.type === "sync" || !("properties" in payload)) return undefined;
  const properties = payload.properties as {
    sessionID?: string;
    info?: Message & { id: string };
    part?: Part;
    messageID?: string;
    partID?: string;
    delta?: string;
    field?: string;
  };
  const sessionID = properties.sessionID ?? (properties.info as { sessionID?: string } | undefined)?.sessionID;
  if (!sessionID) return undefined;
  // Like the sync log, a deleted session's history goes with it.
  if (payload.type === "session.deleted") return { kind: "deleted", sessionID: (properties.info as { id: string }).id };
  const directory = frame.directory;
  const turn = (refs: string[], step: (turns: TurnProjection) => void, delta?: { partID: string }): BusProjection => ({
    kind: "turn",
    sessionID,
    directory,
    refs,
    step,
    ...(delta ? { delta } : {}),
  });
  const { info, part, messageID, partID, delta } = properties;
  if (payload.type === "message.updated" && info?.role === "assistant") return turn([info.id], (t) => t.step(sessionID, directory, info));
  if (payload.type === "message.part.updated" && part)
    return turn([part.messageID, part.id, ...(part.type === "tool" ? [part.callID] : [])], (t) => t.part(sessionID, directory, part));
  if (payload.type === "message.part.delta" && partID && delta && properties.field === "text")
    return turn([partID], (t) => t.delta(sessionID, directory, messageID!, partID, delta), { partID });
  return undefined;
}
