// Publishing an event of a directory's instance (tui.*, server.instance.disposed, worktree.*):
// scoped like session events, with the project the directory belongs to, so both /event of that
// directory and /global/event carry it.
import type { Projects } from "../project/projects.js";
import type { EventBus, EventProperties, EventType } from "./event-bus.js";

export async function publishForDirectory<T extends EventType>(
  services: { bus: EventBus; projects: Projects },
  directory: string,
  type: T,
  properties: EventProperties<T>,
): Promise<void> {
  const project = await services.projects.locate(directory);
  services.bus.publish({ directory, project: project.id }, type, properties);
}
