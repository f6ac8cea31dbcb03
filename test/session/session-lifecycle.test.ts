// Session lifecycle without a server: stopping a session stops its run and drops the permissions
// and questions it and its sub-agent sessions wait on; deleting a parent does the same for its
// children before they go.
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EventBus } from "../../src/bus/event-bus.js";
import { PermissionService } from "../../src/permission/permission-service.js";
import { Projects } from "../../src/project/projects.js";
import { QuestionService } from "../../src/question/question-service.js";
import { RunRegistry } from "../../src/session/run-registry.js";
import { SessionEvents } from "../../src/session/session-events.js";
import { SessionLifecycle } from "../../src/session/session-lifecycle.js";
import { SessionService } from "../../src/session/session-service.js";
import { LocalSignals } from "../../src/cluster/cluster-signals.js";
import { PendingRequests } from "../../src/cluster/pending-requests.js";
import { openDatabase, type Database } from "../../src/storage/database.js";
import { SqlClusterStore } from "../../src/storage/sql-cluster-store.js";
import { SqlStore } from "../../src/storage/sql-store.js";
import { makeTempDir } from "../support/temp.js";

let database: Database;
let store: SqlStore;
let sessions: SessionService;
let runs: RunRegistry;
let permissions: PermissionService;
let questions: QuestionService;
let lifecycle: SessionLifecycle;
let directory: string;

beforeEach(async () => {
  directory = makeTempDir("lifecycle");
  database = await openDatabase({ file: path.join(directory, "agentpool.db") });
  store = new SqlStore(database);
  const cluster = new SqlClusterStore(database);
  const signals = new LocalSignals("node_test");
  const projects = new Projects(store);
  sessions = new SessionService(store, projects, new SessionEvents(store, new EventBus()));
  runs = new RunRegistry();
  const publish = async () => {};
  permissions = new PermissionService({ store, pending: new PendingRequests("permission", cluster, signals, false), publish });
  questions = new QuestionService(new PendingRequests("question", cluster, signals, false), publish);
  lifecycle = new SessionLifecycle({ store, sessions, runs, permissions, questions });
});
afterEach(() => database.close());

/** A run of the session that waits on a permission and a question, as a tool call would. */
function waitingRun(sessionID: string) {
  const signal = runs.start(sessionID);
  const rules = [{ permission: "bash", pattern: "*", action: "ask" as const }];
  const permission = permissions.ask({
    sessionID,
    projectID: "p",
    permission: "bash",
    patterns: ["ls"],
    always: [],
    metadata: {},
    rules,
    signal,
  });
  const question = questions.ask(sessionID, [{ question: "Which?", header: "Pick", options: [] }], { messageID: "m", callID: "c" }, signal);
  return { signal, settled: Promise.allSettled([permission, question]) };
}

describe("SessionLifecycle", () => {
  it("stop aborts the run of the session and of its children, and drops what they wait on", async () => {
    const parent = await sessions.create(directory);
    const child = await sessions.create(directory, { parentID: parent.id });
    const parentRun = waitingRun(parent.id);
    const childRun = waitingRun(child.id);
    await expect.poll(async () => (await permissions.list()).length).toBe(2);

    await lifecycle.stop(parent.id);

    expect(parentRun.signal.aborted).toBe(true);
    expect(childRun.signal.aborted).toBe(true);
    for (const result of [...(await parentRun.settled), ...(await childRun.settled)]) expect(result.status).toBe("rejected");
    expect(await permissions.list()).toEqual([]);
    expect(await questions.list()).toEqual([]);
  });

  it("delete stops a child's run before the child is deleted with its parent", async () => {
    const parent = await sessions.create(directory);
    const child = await sessions.create(directory, { parentID: parent.id });
    const childRun = waitingRun(child.id);
    await expect.poll(async () => (await questions.list()).length).toBe(1);

    await lifecycle.delete(parent.id);

    expect(childRun.signal.aborted).toBe(true);
    expect(await permissions.list()).toEqual([]);
    expect(await questions.list()).toEqual([]);
    expect(await store.getSession(child.id)).toBeUndefined();
    expect(await store.getSession(parent.id)).toBeUndefined();
  });

  it("stopping a session that does not exist changes nothing; deleting one is a NotFoundError", async () => {
    const other = await sessions.create(directory);
    const run = waitingRun(other.id);
    await lifecycle.stop("ses_missing");
    expect(run.signal.aborted).toBe(false);
    await expect(lifecycle.delete("ses_missing")).rejects.toMatchObject({ kind: "Session", id: "ses_missing" });
    await lifecycle.stop(other.id);
  });
});
