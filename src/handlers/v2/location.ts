// The `location` every v2 (/api/*) answer carries: the directory a request is about and its project.
import type { LocationInfo } from "../../../generated/schemas.js";
import type { RequestContext } from "../../server/context.js";
import { announceCatalogue } from "./catalog.js";
import { NO_WORKTREE } from "../../git/worktree.js";

export async function locationOf(ctx: RequestContext): Promise<LocationInfo> {
  const project = await ctx.services.projects.locate(ctx.directory);
  return {
    directory: ctx.directory,
    project: { id: project.id, directory: project.worktree === NO_WORKTREE ? ctx.directory : project.worktree },
  };
}

/** A v2 list or item answer: the data with the location it belongs to. */
export async function located<T>(ctx: RequestContext, data: T): Promise<{ location: LocationInfo; data: T }> {
  await announceCatalogue(ctx);
  return { location: await locationOf(ctx), data };
}

/** The items (pending requests) whose session works in the request's directory. */
export async function inRequestDirectory<T extends { sessionID: string }>(ctx: RequestContext, items: T[]): Promise<T[]> {
  const directories = await Promise.all(items.map(async (item) => (await ctx.services.store.getSession(item.sessionID))?.directory));
  return items.filter((_item, i) => directories[i] === ctx.directory);
}
