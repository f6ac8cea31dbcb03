// Disposing instances: what upstream's POST /instance/dispose and /global/dispose do. An
// instance is a directory's loaded state; disposing it drops what was read (configuration,
// project locations, language servers) so the next request reads everything afresh, and tells
// the clients, in upstream's order, that its catalogues changed and that it is gone.
import { publishForDirectory } from "../bus/instance-events.js";
import type { Services } from "./context.js";

type LifecycleServices = Pick<Services, "bus" | "projects" | "configs"> & {
  lsp?: { shutdown(directory?: string): Promise<void> };
  mcp?: { forget(directory: string): Promise<void>; closeAll(): Promise<void> };
  plugins?: { forget(directory: string): Promise<void>; closeAll(): Promise<void> };
};

/** The events a disposed instance sends, as the reference capture shows them. */
const CATALOGUE_EVENTS = ["catalog.updated", "integration.updated", "reference.updated"] as const;

export async function disposeInstance(services: LifecycleServices, directory: string): Promise<void> {
  services.configs.forget(directory);
  services.projects.reset();
  await services.lsp?.shutdown(directory);
  await services.mcp?.forget(directory);
  await services.plugins?.forget(directory);
  for (const type of CATALOGUE_EVENTS) await publishForDirectory(services, directory, type, {});
  await publishForDirectory(services, directory, "server.instance.disposed", { directory });
}

/** Disposes every live instance, then announces global.disposed on the global stream. */
export async function disposeAllInstances(services: LifecycleServices): Promise<void> {
  for (const directory of services.configs.loadedDirectories()) await disposeInstance(services, directory);
  services.configs.invalidate();
  services.projects.reset();
  await services.lsp?.shutdown();
  await services.mcp?.closeAll();
  await services.plugins?.closeAll();
  services.bus.publish({ directory: "global" }, "global.disposed", {});
}
