// The versioned migrations, oldest first. Names sort in the order they run; never rename or edit
// one that has shipped, add the next.
import type { Migration, MigrationProvider } from "kysely";
import type { Dialect } from "../schema.js";
import { initial } from "./001-initial.js";
import { unfinishedAndSyncEvents } from "./002-unfinished-and-sync-events.js";
import { runLease } from "./003-run-lease.js";
import { eventOutbox } from "./004-event-outbox.js";
import { nodesAndPendingRequests } from "./005-nodes-and-pending-requests.js";
import { runSlots } from "./006-run-slots.js";
import { v2SessionEvent } from "./007-v2-session-event.js";

export function migrations(dialect: Dialect): MigrationProvider {
  const all: Record<string, Migration> = {
    "001-initial": initial(dialect),
    "002-unfinished-and-sync-events": unfinishedAndSyncEvents(dialect),
    "003-run-lease": runLease(dialect),
    "004-event-outbox": eventOutbox(dialect),
    "005-nodes-and-pending-requests": nodesAndPendingRequests(dialect),
    "006-run-slots": runSlots(dialect),
    "007-v2-session-event": v2SessionEvent(dialect),
  };
  return { getMigrations: async () => all };
}
