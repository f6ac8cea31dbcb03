// Session decisions without a server: switching a session's agent and model, the ruleset its
// requests are checked against, and the context the model gets after a failed compaction.
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Part, Session } from "../../generated/schemas.js";
import { EventBus } from "../../src/bus/event-bus.js";
import { Projects } from "../../src/project/projects.js";
import { sessionContext } from "../../src/session/session-context.js";
import { SessionEvents } from "../../src/session/session-events.js";
import { sessionRules } from "../../src/session/session-rules.js";
import { SessionService } from "../../src/session/session-service.js";
import { switchAgent, switchModel } from "../../src/session/session-switch.js";
import { SqliteStore } from "../../src/storage/sqlite-store.js";
import { makeTempDir } from "../support/temp.js";

let store: SqliteStore;
let sessions: SessionService;
let directory: string;
const config = { forDirectory: async () => ({}) };

beforeEach(() => {
  directory = makeTempDir("choices");
  store = new SqliteStore(path.join(directory, "agentpool.db"));
  sessions = new SessionService(store, new Projects(store), new SessionEvents(store, new EventBus()));
});
afterEach(() => store.close());

describe("switching a session's agent and model", () => {
  it("stores a known agent and a model with its variant; refuses an unknown agent and changes nothing", async () => {
    const session = await sessions.create(directory);
    expect((await switchAgent({ sessions, config }, session.id, "plan")).agent).toBe("plan");
    const switched = await switchModel({ sessions, config }, session.id, { id: "m", providerID: "p" });
    expect(switched.model).toEqual({ id: "m", providerID: "p", variant: "default" });
    await expect(switchAgent({ sessions, config }, session.id, "nobody")).rejects.toMatchObject({ field: "agent" });
    expect((await sessions.get(session.id)).agent).toBe("plan");
  });
});

describe("the session's ruleset", () => {
  it("is the agent's, then the session's own: the last match wins", () => {
    const agent = { permission: [{ permission: "bash", pattern: "*", action: "allow" as const }] };
    const session = { permission: [{ permission: "bash", pattern: "rm *", action: "deny" as const }] } as Session;
    expect(sessionRules(agent, session)).toEqual([...agent.permission, ...session.permission!]);
    expect(sessionRules(agent, {} as Session)).toEqual(agent.permission);
  });
});

describe("the context the model gets", () => {
  async function message(session: Session, id: string, role: "user" | "assistant", parts: Record<string, unknown>[], extra = {}) {
    const info =
      role === "user"
        ? { id, sessionID: session.id, role, time: { created: Date.now() }, agent: "build", model: { providerID: "p", modelID: "m" } }
        : {
            id,
            sessionID: session.id,
            role,
            time: { created: Date.now(), completed: Date.now() },
            parentID: "",
            modelID: "m",
            providerID: "p",
            mode: "build",
            agent: "build",
            path: { cwd: directory, root: directory },
            cost: 0,
            tokens: { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } },
            ...extra,
          };
    await store.putMessage(info as never);
    for (const [i, part] of parts.entries())
      await store.putPart({ ...part, id: `prt_${id}_${i}`, sessionID: session.id, messageID: id } as Part);
  }

  it("starts at the last compaction that produced a summary; a failed one hides nothing", async () => {
    const session = await sessions.create(directory);
    await message(session, "msg_01", "user", [{ type: "text", text: "first" }]);
    await message(session, "msg_02", "assistant", [{ type: "text", text: "reply" }], { parentID: "msg_01" });
    await message(session, "msg_03", "user", [{ type: "compaction", auto: false }]);
    await message(session, "msg_04", "assistant", [], {
      parentID: "msg_03",
      summary: true,
      error: { name: "UnknownError", data: { message: "refused" } },
    });
    expect((await sessionContext(store, session)).map((m) => m.info.id)).toEqual(["msg_01", "msg_02", "msg_03", "msg_04"]);

    await message(session, "msg_05", "user", [{ type: "compaction", auto: false }]);
    await message(session, "msg_06", "assistant", [{ type: "text", text: "the summary" }], {
      parentID: "msg_05",
      summary: true,
      finish: "stop",
    });
    await message(session, "msg_07", "user", [{ type: "text", text: "after" }]);
    expect((await sessionContext(store, session)).map((m) => m.info.id)).toEqual(["msg_05", "msg_06", "msg_07"]);
  });
});
