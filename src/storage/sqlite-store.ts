// The store on a SQLite file, for callers that construct it directly: the one SQL store
// (./sql-store.ts) over a database opened and migrated in the background.
import { openDatabase } from "./database.js";
import { SqlStore } from "./sql-store.js";

export class SqliteStore extends SqlStore {
  constructor(file: string) {
    const opening = openDatabase({ file });
    // Surfaces on first use; not an unhandled rejection meanwhile.
    opening.catch(() => undefined);
    super(opening);
  }
}
