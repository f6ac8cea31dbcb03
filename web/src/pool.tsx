// The pool: the inbox, then every project the server knows with its sessions and their live state.
import { useEffect, useState } from "preact/hooks";
import type { Project, Session } from "@opencode-ai/sdk/v2/client";
import { Inbox } from "./inbox";
import { Link } from "./link";
import { changed, client, projectDirectory, must, navigate, report, state, useStore } from "./store";
import { formatCost, formatTokens, projectName, statusLabel, timeAgo } from "./format";

export function StatusBadge(props: { sessionID: string }) {
  const status = statusLabel(props.sessionID);
  return <span class={`status ${status.kind}`}>{status.text}</span>;
}

function modelOf(session: Session): string | undefined {
  if (session.model) return `${session.model.providerID}/${session.model.id}`;
  const last = state.messages.get(session.id)?.findLast((m) => m.info.role === "assistant")?.info;
  return last && last.role === "assistant" ? `${last.providerID}/${last.modelID}` : undefined;
}

function SessionRow(props: { session: Session; depth: number; children: Session[] }) {
  const { session } = props;
  const tokens = session.tokens;
  const model = modelOf(session);
  const running = ["busy", "retry"].includes(state.status.get(session.id)?.type ?? "idle");
  return (
    <>
      <li class="session-row" style={{ "--depth": props.depth }}>
        <div class="session-main">
          <Link href={`/s/${session.id}`} class="session-title">
            {props.depth > 0 && <span aria-hidden="true">↳ </span>}
            {session.title || session.id}
          </Link>
          <span class="row-actions">
            <StatusBadge sessionID={session.id} />
            {running && (
              <button
                type="button"
                class="icon danger"
                aria-label={`Abort ${session.title || session.id}`}
                title="Abort"
                onClick={() => client.session.abort({ sessionID: session.id, directory: session.directory }).then(must).catch(report)}
              >
                ■
              </button>
            )}
          </span>
        </div>
        <div class="session-meta muted small">
          {session.agent && <span title="agent">{session.agent}</span>}
          {model && <span title="model">{model}</span>}
          <span title="tokens in / out">
            {formatTokens(tokens?.input)} in · {formatTokens(tokens?.output)} out
          </span>
          <span title="cost">{formatCost(session.cost)}</span>
          <span>{timeAgo(session.time.updated)}</span>
        </div>
      </li>
      {props.children.map((child) => (
        <SessionRow key={child.id} session={child} depth={props.depth + 1} children={[]} />
      ))}
    </>
  );
}

function ProjectCard(props: { project: Project; sessions: Session[] }) {
  const { project } = props;
  const [busy, setBusy] = useState(false);
  const roots = props.sessions.filter((s) => !s.parentID || !props.sessions.some((p) => p.id === s.parentID));
  const busyCount = props.sessions.filter((s) => statusLabel(s.id).kind !== "idle").length;
  const id = `project-${project.id}`;
  const create = async () => {
    setBusy(true);
    try {
      const session = must(await client.session.create({ directory: projectDirectory(project) }));
      state.sessions.set(session.id, session);
      navigate(`/s/${session.id}`);
    } catch (error) {
      report(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card project" aria-labelledby={id}>
      <div class="project-head">
        <div>
          <h2 id={id}>{projectName(project)}</h2>
          <p class="muted small path">{projectDirectory(project)}</p>
        </div>
        <div class="project-actions">
          <span class="muted small">
            {roots.length} session{roots.length === 1 ? "" : "s"}
            {busyCount > 0 ? `, ${busyCount} active` : ""}
          </span>
          <button type="button" class="primary" disabled={busy} onClick={create} aria-label={`New session in ${projectName(project)}`}>
            New session
          </button>
        </div>
      </div>
      {roots.length === 0 ? (
        <p class="muted">No sessions yet.</p>
      ) : (
        <ul class="sessions">
          {roots.map((session) => (
            <SessionRow key={session.id} session={session} depth={0} children={props.sessions.filter((s) => s.parentID === session.id)} />
          ))}
        </ul>
      )}
    </section>
  );
}

export function PoolView() {
  const s = useStore();
  // "just now" becomes "2 min ago" without an event.
  useEffect(() => {
    const timer = setInterval(changed, 30_000);
    return () => clearInterval(timer);
  }, []);
  const sessions = [...s.sessions.values()].filter((x) => !x.time.archived).sort((a, b) => b.time.updated - a.time.updated);
  const kinds = sessions.map((x) => statusLabel(x.id).kind);
  const count = (kind: string) => kinds.filter((k) => k === kind).length;
  return (
    <>
      <h1 class="visually-hidden">Pool</h1>
      {s.loaded && (
        <p class="summary-line muted small" aria-label="Pool summary">
          <span>
            {s.projects.length} project{s.projects.length === 1 ? "" : "s"}
          </span>
          <span>
            {sessions.length} session{sessions.length === 1 ? "" : "s"}
          </span>
          <span>{count("busy") + count("retry")} working</span>
          <span>{count("waiting")} waiting for you</span>
          {count("error") > 0 && <span>{count("error")} with an error</span>}
        </p>
      )}
      <Inbox />
      <div class="projects">
        {!s.loaded && <p class="muted">Loading…</p>}
        {s.projects.map((project) => (
          <ProjectCard key={project.id} project={project} sessions={sessions.filter((x) => x.projectID === project.id)} />
        ))}
      </div>
    </>
  );
}
