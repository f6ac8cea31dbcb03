// What the services that change a session's conversation all need.
import type { Projects } from "../project/projects.js";
import type { Store } from "../storage/store.js";
import type { RunRegistry } from "./run-registry.js";
import type { SessionEvents } from "./session-events.js";
import type { SessionService } from "./session-service.js";

export interface SessionDeps {
  store: Store;
  sessions: SessionService;
  events: SessionEvents;
  runs: RunRegistry;
  projects: Projects;
}
