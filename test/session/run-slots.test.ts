// RunSlots, the run's side of the caps on concurrent runs, on a real SQLite cluster store: which
// keys a run takes (capped ones, sorted; none for a sub-agent's session), waiting in line and
// going once a slot frees, keys taken in sorted order so two runs never hold one each, a new
// turn with other keys trading them, and a run aborted while waiting leaving no ticket behind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/storage/database.js";
import { SqlClusterStore } from "../../src/storage/sql-cluster-store.js";
import { RunSlots, type RunLimits } from "../../src/session/run-slots.js";
import { makeTempDir } from "../support/temp.js";

let database: Database;
let cluster: SqlClusterStore;
beforeAll(async () => {
  database = await openDatabase({ dataDirectory: makeTempDir("run-slots") });
  cluster = new SqlClusterStore(database.share());
});
afterAll(async () => {
  await cluster.close();
  await database.close();
});

const logged: string[] = [];
const log = { info: (_: object, message: string) => void logged.push(message), warn: () => undefined };
const slotsOn = (nodeID: string, limits: RunLimits) => new RunSlots(cluster, { limits, nodeID, ttlMs: 60_000, pollMs: 10, log });

const user = (agent: string, providerID: string) => ({ agent, model: { providerID, modelID: "m" } });
const root = (id: string) => ({ id });
const live = async (key: string) => (await cluster.liveRunSlots(key, Date.now())).map((slot) => slot.sessionID);

describe("RunSlots", () => {
  it("takes only the capped keys, sorted, and none for a sub-agent's session", () => {
    const slots = slotsOn("node_keys", { "provider:p": 1, "agent:build": 2 });
    expect(slots.enabled).toBe(true);
    expect(slots.keysFor({}, user("build", "p"))).toEqual(["agent:build", "provider:p"]);
    expect(slots.keysFor({}, user("plan", "q"))).toEqual([]);
    expect(slots.keysFor({ parentID: "ses_parent" }, user("build", "p"))).toEqual([]);
    expect(slotsOn("node_keys", {}).enabled).toBe(false);
  });

  it("makes a run over the cap wait, in order, until a slot frees; an aborted waiter leaves no ticket", async () => {
    const a = slotsOn("node_a", { "agent:build": 1, "provider:p": 1 });
    const b = slotsOn("node_b", { "agent:build": 1, "provider:p": 1 });
    const never = new AbortController().signal;
    expect(await a.hold(root("ses_1"), user("build", "p"), never)).toBe(true);
    expect(await live("agent:build")).toEqual(["ses_1"]);
    expect(await live("provider:p")).toEqual(["ses_1"]);
    // Same keys for the next turn: nothing asked again.
    expect(await a.hold(root("ses_1"), user("build", "p"), never)).toBe(true);

    const second = b.hold(root("ses_2"), user("build", "p"), never);
    const aborted = new AbortController();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const third = b.hold(root("ses_3"), user("build", "p"), aborted.signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logged).toContain("run waits for agent:build");
    // Waiting for the first sorted key, neither holds the provider: nobody deadlocks.
    expect(await live("provider:p")).toEqual(["ses_1"]);
    aborted.abort();
    expect(await third).toBe(false);
    await a.release("ses_1");
    expect(await second).toBe(true);
    expect(await live("agent:build")).toEqual(["ses_2"]);
    expect(await live("provider:p")).toEqual(["ses_2"]);
    await b.release("ses_2");
    // No ticket left by the aborted run: a newcomer goes at once.
    expect(await cluster.takeRunSlot("agent:build", 1, "ses_4", "node_c", 60_000)).toBe(0);
    await cluster.releaseRunSlot("agent:build", "ses_4", "node_c");
  });

  it("trades its slots for the next turn's when that turn uses another agent, and releases them all at the end", async () => {
    const slots = slotsOn("node_trade", { "agent:build": 1, "agent:plan": 1, "provider:p": 1 });
    const never = new AbortController().signal;
    expect(await slots.hold(root("ses_t"), user("build", "p"), never)).toBe(true);
    expect(await slots.hold(root("ses_t"), user("plan", "p"), never)).toBe(true);
    expect(await live("agent:build")).toEqual([]);
    expect(await live("agent:plan")).toEqual(["ses_t"]);
    expect(await live("provider:p")).toEqual(["ses_t"]);
    await slots.release("ses_t");
    expect([...(await live("agent:plan")), ...(await live("provider:p"))]).toEqual([]);
  });
});
