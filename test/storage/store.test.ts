// The store's contract, the same cases on SQLite and on a real PostgreSQL (a throwaway cluster,
// its databases sorting text in English, not byte by byte): ordering, ids, the per-session event
// sequence, unfinished runs, remembered permissions, the sync event log; then what each database
// adds: SQLite migrates a database the old store made, PostgreSQL migrates once when several
// nodes start together.
import path from "node:path";
import BetterSqlite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message, Part, PermissionRuleset, Project, Session, Todo } from "../../generated/schemas.js";
import { EventBus } from "../../src/bus/event-bus.js";
import { openDatabase, type Database } from "../../src/storage/database.js";
import { SqlStore } from "../../src/storage/sql-store.js";
import { migrations as migrationsOf } from "../../src/storage/migrations/index.js";
import { SqliteStore } from "../../src/storage/sqlite-store.js";
import { SyncEventLog } from "../../src/sync/sync-event-log.js";
import { startPostgres, type PostgresCluster } from "../support/postgres.js";
import { makeTempDir } from "../support/temp.js";

function session(id: string, fields: { projectID?: string; parentID?: string; updated?: number; title?: string } = {}): Session {
  return {
    id,
    slug: id,
    projectID: fields.projectID ?? "prj",
    directory: "/repo",
    ...(fields.parentID ? { parentID: fields.parentID } : {}),
    title: fields.title ?? `Session ${id}`,
    version: "1",
    time: { created: 1, updated: fields.updated ?? 1 },
  } as unknown as Session;
}

function userMessage(sessionID: string, id: string): Message {
  return {
    id,
    sessionID,
    role: "user",
    time: { created: 1 },
    agent: "build",
    model: { providerID: "p", modelID: "m" },
  } as unknown as Message;
}

function assistantMessage(sessionID: string, id: string, completed?: number): Message {
  return {
    id,
    sessionID,
    role: "assistant",
    parentID: "msg_user",
    time: completed === undefined ? { created: 1 } : { created: 1, completed },
    modelID: "m",
    providerID: "p",
  } as unknown as Message;
}

function textPart(sessionID: string, messageID: string, id: string, text = id): Part {
  return { id, sessionID, messageID, type: "text", text } as unknown as Part;
}

type Backend = { name: string; open(): Promise<Database>; reopenable: boolean };

let cluster: PostgresCluster | undefined;
afterAll(() => cluster?.stop());

const backends: Backend[] = [
  { name: "SQLite", reopenable: true, open: () => openDatabase({ dataDirectory: makeTempDir("store") }) },
  {
    name: "PostgreSQL",
    reopenable: true,
    open: async () => {
      cluster ??= await startPostgres();
      return openDatabase({ url: await cluster.createDatabase() });
    },
  },
];

describe.each(backends)("the store on $name", (backend) => {
  let database: Database;
  let store: SqlStore;
  beforeAll(async () => {
    database = await backend.open();
    store = new SqlStore(database.share());
  });
  afterAll(async () => {
    await store.close();
    await database.close();
  });

  it("keeps projects, listed by id byte by byte", async () => {
    for (const id of ["prj_b", "prj_B", "prj_a", "prj_A"])
      await store.putProject({ id, worktree: `/${id}`, time: { created: 1 } } as unknown as Project);
    await store.putProject({ id: "prj_a", worktree: "/moved", time: { created: 2 } } as unknown as Project);
    expect((await store.listProjects()).map((p) => p.id)).toEqual(["prj_A", "prj_B", "prj_a", "prj_b"]);
    expect((await store.getProject("prj_a"))?.worktree).toBe("/moved");
    expect(await store.getProject("prj_none")).toBeUndefined();
  });

  it("lists sessions newest first, then by id, filtered by roots, time, title and limit", async () => {
    const p = "prj_list";
    await store.putSession(session("ses_b", { projectID: p, updated: 20, title: "Fix the 100% bug" }));
    await store.putSession(session("ses_a", { projectID: p, updated: 20, title: "fix_it quickly" }));
    await store.putSession(session("ses_C", { projectID: p, updated: 30, title: "Other" }));
    await store.putSession(session("ses_child", { projectID: p, parentID: "ses_C", updated: 40, title: "child FIX" }));
    await store.putSession(session("ses_elsewhere", { projectID: "prj_other", updated: 50 }));
    expect((await store.listSessions({ projectID: p })).map((s) => s.id)).toEqual(["ses_child", "ses_C", "ses_a", "ses_b"]);
    expect((await store.listSessions({ projectID: p, roots: true })).map((s) => s.id)).toEqual(["ses_C", "ses_a", "ses_b"]);
    expect((await store.listSessions({ projectID: p, updatedSince: 30 })).map((s) => s.id)).toEqual(["ses_child", "ses_C"]);
    expect((await store.listSessions({ projectID: p, search: "fix" })).map((s) => s.id)).toEqual(["ses_child", "ses_a", "ses_b"]);
    // The search is a plain substring: % and _ are characters, not patterns.
    expect((await store.listSessions({ projectID: p, search: "100%" })).map((s) => s.id)).toEqual(["ses_b"]);
    expect((await store.listSessions({ projectID: p, search: "x_i" })).map((s) => s.id)).toEqual(["ses_a"]);
    expect((await store.listSessions({ projectID: p, search: "fix", limit: 2 })).map((s) => s.id)).toEqual(["ses_child", "ses_a"]);
    expect((await store.listChildren("ses_C")).map((s) => s.id)).toEqual(["ses_child"]);
    // Replacing a session moves it in the listing.
    await store.putSession(session("ses_b", { projectID: p, updated: 60, title: "renamed" }));
    expect((await store.listSessions({ projectID: p, roots: true })).map((s) => [s.id, s.title])).toEqual([
      ["ses_b", "renamed"],
      ["ses_C", "Other"],
      ["ses_a", "fix_it quickly"],
    ]);
    expect(await store.getSession("ses_none")).toBeUndefined();
  });

  it("numbers a session's events 0, 1, 2, ... in the order asked (one at a time or in blocks), across replacements of the session", async () => {
    await store.putSession(session("ses_seq"));
    expect(await store.nextEventSeq("ses_seq")).toBe(0);
    expect(await store.nextEventSeq("ses_seq")).toBe(1);
    await store.putSession(session("ses_seq", { title: "renamed" }));
    const order: number[] = [];
    const seqs = await Promise.all(Array.from({ length: 40 }, () => store.nextEventSeq("ses_seq").then((n) => (order.push(n), n))));
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 2));
    expect(order).toEqual(seqs);
    // A block of numbers for events published together.
    expect(await store.nextEventSeq("ses_seq", 3)).toBe(42);
    expect(await store.nextEventSeq("ses_seq")).toBe(45);
    expect(await store.nextEventSeq("ses_unknown")).toBe(0);
  });

  it("keeps messages with their parts, ordered by id byte by byte, and the newest `limit`", async () => {
    const s = "ses_msgs";
    await store.putSession(session(s));
    const ids = ["msg_01A", "msg_01a", "msg_01B", "msg_01b"];
    for (const id of [...ids].reverse()) await store.putMessage(userMessage(s, id));
    await store.putPart(textPart(s, "msg_01a", "prt_z"));
    await store.putPart(textPart(s, "msg_01a", "prt_Z"));
    await store.putPart(textPart(s, "msg_01a", "prt_a"));
    await store.putPart(textPart(s, "msg_01b", "prt_b"));
    const all = await store.listMessages(s);
    expect(all.map((m) => m.info.id)).toEqual(["msg_01A", "msg_01B", "msg_01a", "msg_01b"]);
    expect(all[2]!.parts.map((p) => p.id)).toEqual(["prt_Z", "prt_a", "prt_z"]);
    expect((await store.listMessages(s, 2)).map((m) => m.info.id)).toEqual(["msg_01a", "msg_01b"]);
    expect((await store.getMessage(s, "msg_01a"))?.parts.map((p) => p.id)).toEqual(["prt_Z", "prt_a", "prt_z"]);
    expect(await store.getMessage("ses_other", "msg_01a")).toBeUndefined();

    await store.putPart(textPart(s, "msg_01a", "prt_a", "edited"));
    expect(await store.getPart("msg_01a", "prt_a")).toMatchObject({ text: "edited" });
    expect(await store.getPart("msg_01b", "prt_a")).toBeUndefined();
    expect(await store.deletePart("msg_01a", "prt_a")).toBe(true);
    expect(await store.deletePart("msg_01a", "prt_a")).toBe(false);

    expect(await store.deleteMessage(s, "msg_01a")).toBe(true);
    expect(await store.deleteMessage(s, "msg_01a")).toBe(false);
    expect(await store.getPart("msg_01a", "prt_z")).toBeUndefined();
    expect((await store.listMessages(s)).map((m) => m.info.id)).toEqual(["msg_01A", "msg_01B", "msg_01b"]);
  });

  it("lists the assistant messages never completed, with their parts", async () => {
    const s = "ses_runs";
    await store.putSession(session(s));
    await store.putMessage(userMessage(s, "msg_r1"));
    await store.putMessage(assistantMessage(s, "msg_r2"));
    await store.putPart(textPart(s, "msg_r2", "prt_r2"));
    await store.putMessage(assistantMessage(s, "msg_r3", 5));
    await store.putMessage(assistantMessage(s, "msg_r4"));
    const unfinished = await store.listUnfinishedAssistantMessages();
    expect(unfinished.map((m) => m.info.id)).toEqual(["msg_r2", "msg_r4"]);
    expect(unfinished[0]!.parts.map((p) => p.id)).toEqual(["prt_r2"]);
    await store.putMessage(assistantMessage(s, "msg_r2", 9));
    await store.putMessage(assistantMessage(s, "msg_r4", 0));
    expect(await store.listUnfinishedAssistantMessages()).toEqual([]);
  });

  it("keeps todos and remembered permissions, replacing them whole", async () => {
    expect(await store.getTodos("ses_todo")).toEqual([]);
    const todos: Todo[] = [{ content: "write", status: "pending", priority: "high" }];
    await store.putTodos("ses_todo", todos);
    await store.putTodos("ses_todo", [...todos, { ...todos[0]!, content: "test" }]);
    expect((await store.getTodos("ses_todo")).map((t) => t.content)).toEqual(["write", "test"]);

    expect(await store.getRememberedPermissions("prj_perm")).toEqual([]);
    const rules: PermissionRuleset = [{ permission: "bash", pattern: "git *", action: "allow" }] as PermissionRuleset;
    await store.putRememberedPermissions("prj_perm", rules);
    await store.putRememberedPermissions("prj_perm", [
      ...rules,
      { permission: "edit", pattern: "*", action: "allow" },
    ] as PermissionRuleset);
    expect(await store.getRememberedPermissions("prj_perm")).toHaveLength(2);
    expect(await store.getRememberedPermissions("prj_other")).toEqual([]);
  });

  it("deletes a session with its messages, parts and todos, and nothing else", async () => {
    for (const s of ["ses_gone", "ses_kept"]) {
      await store.putSession(session(s, { projectID: "prj_del" }));
      await store.putMessage(userMessage(s, `msg_${s}`));
      await store.putPart(textPart(s, `msg_${s}`, `prt_${s}`));
      await store.putTodos(s, [{ content: "x", status: "pending", priority: "low" }]);
    }
    await store.deleteSession("ses_gone");
    expect(await store.getSession("ses_gone")).toBeUndefined();
    expect(await store.listMessages("ses_gone")).toEqual([]);
    expect(await store.getPart("msg_ses_gone", "prt_ses_gone")).toBeUndefined();
    expect(await store.getTodos("ses_gone")).toEqual([]);
    expect((await store.listMessages("ses_kept"))[0]!.parts).toHaveLength(1);
    expect(await store.getTodos("ses_kept")).toHaveLength(1);
  });

  it("logs the durable events in order, forgets a deleted session's, and answers only the newer ones", async () => {
    const bus = new EventBus();
    const log = new SyncEventLog(database.share(), bus);
    const scope = { directory: "/repo", project: "prj" };
    const publish = (aggregateID: string, seq: number, type: "session.updated" | "session.deleted") =>
      bus.publish(scope, type, { sessionID: aggregateID, info: session(aggregateID) } as never, { aggregateID, seq });
    publish("ses_x", 0, "session.updated");
    publish("ses_y", 0, "session.updated");
    publish("ses_x", 1, "session.updated");
    publish("ses_y", 1, "session.updated");
    expect(await log.lastSeq("ses_x")).toBe(1);
    expect(await log.lastSeq("ses_none")).toBeUndefined();
    const all = await log.history({});
    expect(all.map((e) => [e.aggregate_id, e.seq])).toEqual([
      ["ses_x", 0],
      ["ses_y", 0],
      ["ses_x", 1],
      ["ses_y", 1],
    ]);
    expect(all[0]).toMatchObject({ type: "session.updated.1", data: { sessionID: "ses_x" } });
    expect((await log.history({ ses_x: 0, ses_y: 1 })).map((e) => [e.aggregate_id, e.seq])).toEqual([["ses_x", 1]]);
    publish("ses_y", 2, "session.deleted");
    expect(await log.lastSeq("ses_y")).toBeUndefined();
    await log.close();
  });

  it("keeps everything across a restart, and migrating again changes nothing", async () => {
    if (!backend.reopenable) return;
    // The same database opened a second time (a restart, or a second node) migrates nothing and reads the same.
    const again = await openDatabase(
      database.dialect === "sqlite"
        ? {
            file: (
              (await database.db
                .selectFrom("pragma_database_list" as never)
                .select("file" as never)
                .executeTakeFirst()) as { file: string }
            ).file,
          }
        : { url: await currentUrl(database) },
    );
    const other = new SqlStore(again);
    expect((await other.listMessages("ses_msgs")).map((m) => m.info.id)).toEqual(["msg_01A", "msg_01B", "msg_01b"]);
    expect(await other.nextEventSeq("ses_seq")).toBe(46);
    await other.close();
  });
});

async function currentUrl(database: Database): Promise<string> {
  const row = await database.db.selectNoFrom((eb) => eb.fn<string>("current_database", []).as("name")).executeTakeFirstOrThrow();
  return cluster!.url(row.name);
}

describe("SQLite: a database the store made before the migrations were Kysely's", () => {
  it("is migrated in place: every record kept, the unfinished runs found, the old event log moved in", async () => {
    const dataDirectory = makeTempDir("legacy");
    const file = path.join(dataDirectory, "agentpool.db");
    const old = new BetterSqlite(file);
    old.exec(`CREATE TABLE project (id TEXT PRIMARY KEY, data TEXT NOT NULL);
      CREATE TABLE session (
        id TEXT PRIMARY KEY, project_id TEXT NOT NULL, parent_id TEXT,
        time_updated INTEGER NOT NULL, title TEXT NOT NULL, event_seq INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL);
      CREATE INDEX session_by_project ON session (project_id, time_updated DESC);
      CREATE INDEX session_by_parent ON session (parent_id);
      CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, data TEXT NOT NULL);
      CREATE INDEX message_by_session ON message (session_id, id);
      CREATE TABLE part (id TEXT PRIMARY KEY, message_id TEXT NOT NULL, session_id TEXT NOT NULL, data TEXT NOT NULL);
      CREATE INDEX part_by_message ON part (message_id, id);
      CREATE INDEX part_by_session ON part (session_id);
      CREATE TABLE todo (session_id TEXT PRIMARY KEY, data TEXT NOT NULL);
      CREATE TABLE remembered_permission (project_id TEXT PRIMARY KEY, data TEXT NOT NULL);`);
    old.pragma("user_version = 1");
    const s = session("ses_old", { projectID: "prj_old", updated: 5 });
    old.prepare("INSERT INTO session VALUES (?, ?, NULL, 5, ?, 3, ?)").run(s.id, "prj_old", s.title, JSON.stringify(s));
    for (const m of [userMessage(s.id, "msg_1"), assistantMessage(s.id, "msg_2", 7), assistantMessage(s.id, "msg_3")])
      old.prepare("INSERT INTO message VALUES (?, ?, ?)").run(m.id, s.id, JSON.stringify(m));
    old.prepare("INSERT INTO part VALUES (?, ?, ?, ?)").run("prt_1", "msg_3", s.id, JSON.stringify(textPart(s.id, "msg_3", "prt_1")));
    old
      .prepare("INSERT INTO remembered_permission VALUES (?, ?)")
      .run("prj_old", JSON.stringify([{ permission: "bash", pattern: "*", action: "allow" }]));
    old.close();
    const oldLog = new BetterSqlite(path.join(dataDirectory, "sync-events.db"));
    oldLog.exec(
      `CREATE TABLE sync_event (id TEXT PRIMARY KEY, aggregate_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL);`,
    );
    for (const [id, seq] of [
      ["evt_b", 0],
      ["evt_a", 1],
      ["evt_c", 2],
    ] as const)
      oldLog.prepare("INSERT INTO sync_event VALUES (?, ?, ?, ?, ?)").run(id, s.id, seq, "session.updated.1", JSON.stringify({ n: seq }));
    oldLog.close();

    const database = await openDatabase({ dataDirectory });
    const store = new SqlStore(database.share());
    const log = new SyncEventLog(database, new EventBus());
    expect((await store.listSessions({ projectID: "prj_old" })).map((x) => x.id)).toEqual(["ses_old"]);
    expect((await store.listMessages(s.id)).map((m) => m.info.id)).toEqual(["msg_1", "msg_2", "msg_3"]);
    expect((await store.listUnfinishedAssistantMessages()).map((m) => [m.info.id, m.parts.map((p) => p.id)])).toEqual([
      ["msg_3", ["prt_1"]],
    ]);
    expect(await store.nextEventSeq(s.id)).toBe(3);
    expect(await store.getRememberedPermissions("prj_old")).toHaveLength(1);
    expect((await log.history({})).map((e) => e.id)).toEqual(["evt_b", "evt_a", "evt_c"]);
    await log.close();
    await store.close();

    // The old file is set aside, so its events are not imported twice.
    const { existsSync } = await import("node:fs");
    expect(existsSync(path.join(dataDirectory, "sync-events.db"))).toBe(false);
    expect(existsSync(path.join(dataDirectory, "sync-events.db.imported"))).toBe(true);
  });

  it("still opens with `new SqliteStore(file)`", async () => {
    const store = new SqliteStore(path.join(makeTempDir("direct"), "agentpool.db"));
    await store.putSession(session("ses_direct"));
    expect((await store.getSession("ses_direct"))?.id).toBe("ses_direct");
    await store.close();
  });
});

describe("PostgreSQL: several nodes starting at once on one database", () => {
  it("migrate it once, and all of them work", async () => {
    cluster ??= await startPostgres();
    const url = await cluster.createDatabase();
    const nodes = await Promise.all(Array.from({ length: 5 }, () => openDatabase({ url })));
    const migrations = await nodes[0]!.db
      .selectFrom("agentpool_migration" as never)
      .select("name" as never)
      .orderBy("name" as never)
      .execute();
    const declared = Object.keys(await migrationsOf("postgres").getMigrations()).sort();
    expect(declared.slice(0, 3)).toEqual(["001-initial", "002-unfinished-and-sync-events", "003-run-lease"]);
    expect(migrations.map((m) => (m as { name: string }).name)).toEqual(declared);
    const stores = nodes.map((node) => new SqlStore(node));
    await stores[0]!.putSession(session("ses_shared"));
    // Every node numbers the same session's events without sharing a number.
    const seqs = await Promise.all(stores.flatMap((store) => Array.from({ length: 10 }, () => store.nextEventSeq("ses_shared"))));
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect((await stores[4]!.getSession("ses_shared"))?.id).toBe("ses_shared");
    await Promise.all(stores.map((store) => store.close()));
  });

  it("says which database it could not reach, without the password", async () => {
    await expect(openDatabase({ url: "postgres://someone:secret@127.0.0.1:1/nothing" })).rejects.toThrow(
      /postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/nothing/,
    );
    await expect(openDatabase({ url: "mysql://x@y/z" })).rejects.toThrow(/unsupported database URL/);
  });
});
