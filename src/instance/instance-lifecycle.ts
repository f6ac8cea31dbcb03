// Disposing instances: what upstream's POST /instance/dispose and /global/dispose do. An
// instance is a directory's loaded state; disposing it releases all of it (the instance scope:
// config, language servers, MCP clients, plugins, external agents, terminals, watchers) so the
// next request reads everything afresh, and tells the clients, in upstream's order, that its
// catalogues changed and that it is gone.
import type { EventBus } from "../bus/event-bus.js";
import { publishForDirectory } from "../bus/instance-events.js";
import type { ConfigService } from "../config/config-service.js";
import type { Projects } from "../project/projects.js";
import type { InstanceScope } from "./instance-scope.js";

export interface InstanceLifecycleDeps {
  bus: EventBus;
  projects: Projects;
  configs: Pick<ConfigService, "loadedDirectories">;
  instances: InstanceScope;
}

/** The events a disposed instance sends, as the reference capture shows them. */
const CATALOGUE_EVENTS = ["catalog.updated", "integration.updated", "reference.updated"] as const;

export async function disposeInstance(deps: InstanceLifecycleDeps, directory: string): Promise<void> {
  await deps.instances.dispose(directory);
  deps.projects.reset();
  for (const type of CATALOGUE_EVENTS) await publishForDirectory(deps, directory, type, {});
  await publishForDirectory(deps, directory, "server.instance.disposed", { directory });
}

/** Disposes every live instance, then announces global.disposed on the global stream. */
export async function disposeAllInstances(deps: InstanceLifecycleDeps): Promise<void> {
  for (const directory of deps.configs.loadedDirectories()) await disposeInstance(deps, directory);
  await deps.instances.disposeAll();
  deps.projects.reset();
  deps.bus.publish({ directory: "global" }, "global.disposed", {});
}
