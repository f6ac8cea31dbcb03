// The console's state: what the server knows (projects, sessions, statuses, the inbox, the open
// sessions' messages), loaded through the SDK and kept live by GET /global/event.
import { useEffect, useState } from "preact/hooks";
import { createOpencodeClient } from "@opencode-ai/sdk/v2/client";
import type {
  Agent,
  Message,
  Part,
  PermissionRequest,
  Project,
  Provider,
  QuestionRequest,
  Session,
  SessionStatus,
  Todo,
} from "@opencode-ai/sdk/v2/client";

// Same origin: with OPENCODE_SERVER_PASSWORD set, the browser's basic-auth credentials (asked
// for when the page loaded) go with every fetch, the event stream's too.
export const client = createOpencodeClient({ baseUrl: location.origin });

export interface Entry {
  info: Message;
  parts: Part[];
}

export interface Catalog {
  agents: Agent[];
  providers: Provider[];
  defaults: Record<string, string>;
}

export const state = {
  connected: false,
  loaded: false,
  error: undefined as string | undefined,
  projects: [] as Project[],
  sessions: new Map<string, Session>(),
  status: new Map<string, SessionStatus>(),
  permissions: new Map<string, PermissionRequest>(),
  questions: new Map<string, QuestionRequest>(),
  /** Transcripts of the sessions opened in this page. */
  messages: new Map<string, Entry[]>(),
  todos: new Map<string, Todo[]>(),
  /** The last error of a session's run (session.error). */
  sessionErrors: new Map<string, string>(),
  /** Agents and models per directory. */
  catalogs: new Map<string, Catalog>(),
  route: location.pathname,
  /** The directory the server serves when a request names none (its --project). */
  serverDirectory: undefined as string | undefined,
  currentProjectID: undefined as string | undefined,
};

const listeners = new Set<() => void>();
let scheduled = false;

/** Re-renders the views on the next frame (many stream deltas make one render). */
export function changed(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    for (const listener of listeners) listener();
  });
}

export function useStore(): typeof state {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((v) => v + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return state;
}

export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, "", path);
  state.route = location.pathname;
  changed();
  window.scrollTo(0, 0);
  // A screen reader starts reading the new view, as after a page load.
  requestAnimationFrame(() => document.getElementById("main")?.focus({ preventScroll: true }));
}
window.addEventListener("popstate", () => {
  state.route = location.pathname;
  changed();
});

/** The data of an SDK result, or an Error with the server's message. */
export function must<T>(result: { data?: T; error?: unknown; response?: Response }): T {
  if (result.error !== undefined || result.data === undefined) {
    const error = result.error as { data?: { message?: string }; name?: string; message?: string } | undefined;
    throw new Error(error?.data?.message ?? error?.message ?? error?.name ?? `HTTP ${result.response?.status ?? "error"}`);
  }
  return result.data;
}

export function report(error: unknown): void {
  state.error = error instanceof Error ? error.message : String(error);
  changed();
}

export function directoryOf(sessionID: string): string | undefined {
  return state.sessions.get(sessionID)?.directory;
}

export function projectKnown(projectID: string): boolean {
  return state.projects.some((p) => p.id === projectID);
}

/** Where a project's sessions start: its worktree; for the global project (directories outside
 * git) the server's own directory, or the directory of its latest session. */
export function projectDirectory(project: Project): string {
  if (project.worktree !== "/") return project.worktree;
  if (project.id === state.currentProjectID && state.serverDirectory) return state.serverDirectory;
  const latest = [...state.sessions.values()].filter((s) => s.projectID === project.id).sort((a, b) => b.time.updated - a.time.updated)[0];
  return latest?.directory ?? project.worktree;
}

async function loadProject(project: Project): Promise<void> {
  const directory = projectDirectory(project);
  const [sessions, status] = await Promise.all([
    client.session.list({ directory }).then(must),
    client.session.status({ directory }).then(must),
  ]);
  for (const session of sessions) state.sessions.set(session.id, session);
  for (const [id, value] of Object.entries(status)) state.status.set(id, value);
}

/** Everything the pool view shows, afresh (first load, and after the event stream reconnects). */
export async function loadAll(): Promise<void> {
  const [projects, current, paths] = await Promise.all([
    client.project.list().then(must),
    client.project.current().then(must),
    client.path.get().then(must),
  ]);
  state.serverDirectory = paths.directory;
  state.currentProjectID = current.id;
  const all = projects.some((p) => p.id === current.id) ? projects : [current, ...projects];
  // The server's own project first, then the most recently used.
  state.projects = all.sort(
    (a, b) =>
      Number(b.id === current.id) - Number(a.id === current.id) || (b.time.updated ?? b.time.created) - (a.time.updated ?? a.time.created),
  );
  state.status.clear();
  await Promise.all(state.projects.map(loadProject));
  const [permissions, questions] = await Promise.all([client.permission.list().then(must), client.question.list().then(must)]);
  state.permissions = new Map(permissions.map((p) => [p.id, p]));
  state.questions = new Map(questions.map((q) => [q.id, q]));
  // Open transcripts may have missed events while the stream was down.
  await Promise.all([...state.messages.keys()].map((id) => loadSession(id)));
  state.loaded = true;
  changed();
}

/** A session's transcript, todos and children, for the session view. */
export async function loadSession(sessionID: string): Promise<void> {
  let session = state.sessions.get(sessionID);
  if (!session) {
    session = must(await client.session.get({ sessionID }));
    state.sessions.set(sessionID, session);
  }
  const directory = session.directory;
  const [messages, todos, children] = await Promise.all([
    client.session.messages({ sessionID, directory }).then(must),
    client.session.todo({ sessionID, directory }).then(must),
    client.session.children({ sessionID, directory }).then(must),
  ]);
  state.messages.set(
    sessionID,
    messages.map((m) => ({ info: m.info, parts: m.parts })),
  );
  state.todos.set(sessionID, todos);
  for (const child of children) state.sessions.set(child.id, child);
  changed();
}

export async function loadCatalog(directory: string): Promise<Catalog> {
  const known = state.catalogs.get(directory);
  if (known) return known;
  const [agents, providers] = await Promise.all([
    client.app.agents({ directory }).then(must),
    client.config.providers({ directory }).then(must),
  ]);
  const catalog = { agents, providers: providers.providers, defaults: providers.default };
  state.catalogs.set(directory, catalog);
  changed();
  return catalog;
}
