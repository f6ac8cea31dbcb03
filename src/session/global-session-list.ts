// Sessions across every project (GET /experimental/session): newest update first, archived ones
// left out unless asked for, each with a summary of its project. `cursor` pages on: it is the
// `time.updated` of the last session of the previous page (sent back in x-next-cursor).
import type { GlobalSession, Project, Session } from "../../generated/schemas.js";
import type { Store } from "../storage/store.js";

export interface GlobalSessionQuery {
  /** Only sessions of this directory. */
  directory?: string;
  roots?: boolean;
  /** Only sessions updated at or after this time (ms). */
  start?: number;
  /** Only sessions updated before this time (ms): the next page. */
  cursor?: number;
  search?: string;
  limit: number;
  archived?: boolean;
}

function projectSummary(project: Project | undefined): GlobalSession["project"] {
  if (!project) return null;
  return { id: project.id, worktree: project.worktree, ...(project.name ? { name: project.name } : {}) };
}

/** One page of sessions, and whether more follow. */
export async function listGlobalSessions(store: Store, query: GlobalSessionQuery): Promise<{ sessions: GlobalSession[]; more: boolean }> {
  const projects = await store.listProjects();
  const found: { session: Session; project: Project }[] = [];
  for (const project of projects) {
    const sessions = await store.listSessions({
      projectID: project.id,
      roots: query.roots,
      updatedSince: query.start,
      search: query.search,
    });
    for (const session of sessions) found.push({ session, project });
  }
  const selected = found
    .filter(({ session }) => query.directory === undefined || session.directory === query.directory)
    .filter(({ session }) => query.archived || session.time.archived === undefined)
    .filter(({ session }) => query.cursor === undefined || session.time.updated < query.cursor)
    .sort((a, b) => b.session.time.updated - a.session.time.updated);
  const page = selected.slice(0, query.limit).map(({ session, project }) => ({ ...session, project: projectSummary(project) }));
  return { sessions: page as GlobalSession[], more: selected.length > query.limit };
}
