// One session: its transcript (streaming text and reasoning, tool calls), todos, sub-agent
// sessions, what waits for an answer, and the prompt box with agent and model pickers.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { Inbox } from "./inbox";
import { Link } from "./link";
import { PromptBox, SessionActions } from "./prompt-box";
import { MessageView } from "./transcript";
import { StatusBadge } from "./pool";
import { loadCatalog, loadSession, report, state, useStore } from "./store";
import { formatCost, formatTokens, statusLabel } from "./format";

function Todos(props: { sessionID: string }) {
  const todos = state.todos.get(props.sessionID) ?? [];
  if (todos.length === 0) return null;
  const mark = (status: string) => (status === "completed" ? "✓" : status === "in_progress" ? "▸" : status === "cancelled" ? "✗" : "○");
  return (
    <section class="card todos" aria-labelledby="todos-title">
      <h2 id="todos-title">Todos</h2>
      <ul>
        {todos.map((t, i) => (
          <li key={i} class={t.status}>
            <span aria-hidden="true">{mark(t.status)}</span> {t.content} <span class="visually-hidden">({t.status.replace("_", " ")})</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function useStickToBottom(deps: unknown[]) {
  const stick = useRef(true);
  useEffect(() => {
    const onScroll = () => {
      stick.current = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 120;
    };
    window.addEventListener("scroll", onScroll, { passive: true });
    return () => window.removeEventListener("scroll", onScroll);
  }, []);
  useLayoutEffect(() => {
    if (stick.current) window.scrollTo(0, document.documentElement.scrollHeight);
  }, deps);
}

export function SessionView(props: { sessionID: string }) {
  const s = useStore();
  const { sessionID } = props;
  const session = s.sessions.get(sessionID);
  const entries = s.messages.get(sessionID);
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    setMissing(false);
    loadSession(sessionID).catch((error) => {
      setMissing(true);
      report(error);
    });
  }, [sessionID]);
  useEffect(() => {
    if (session) loadCatalog(session.directory).catch(report);
  }, [session?.directory]);
  const size = (entries ?? []).reduce((n, e) => n + e.parts.reduce((m, p) => m + ("text" in p ? p.text.length : 1), 0), 0);
  useStickToBottom([size, entries?.length]);
  if (!session) return <p class="muted">{missing ? "This session does not exist." : "Loading…"}</p>;
  const busy = statusLabel(sessionID).kind !== "idle" && statusLabel(sessionID).kind !== "error";
  const running = s.status.get(sessionID)?.type === "busy" || s.status.get(sessionID)?.type === "retry";
  const children = [...s.sessions.values()].filter((x) => x.parentID === sessionID);
  const parent = session.parentID ? s.sessions.get(session.parentID) : undefined;
  const error = s.sessionErrors.get(sessionID);
  const status = s.status.get(sessionID);
  return (
    <div class="session-view">
      <header class="session-head">
        <p class="small">
          <Link href="/">Pool</Link>
          {session.parentID && (
            <>
              {" › "}
              <Link href={`/s/${session.parentID}`}>{parent?.title || "parent session"}</Link>
            </>
          )}
        </p>
        <h1>{session.title || session.id}</h1>
        <p class="muted small session-meta">
          <span aria-live="polite">
            <StatusBadge sessionID={sessionID} />
          </span>
          <span>{session.directory}</span>
          <span>
            {formatTokens(session.tokens?.input)} in · {formatTokens(session.tokens?.output)} out · {formatCost(session.cost)}
          </span>
        </p>
        <SessionActions session={session} busy={running} />
        {status?.type === "retry" && (
          <p class="muted small" role="status">
            Retrying: {status.message}
          </p>
        )}
      </header>
      {children.length > 0 && (
        <nav class="card" aria-label="Sub-agent sessions">
          <h2>Sub-agent sessions</h2>
          <ul>
            {children.map((c) => (
              <li key={c.id}>
                <Link href={`/s/${c.id}`}>{c.title || c.id}</Link> <StatusBadge sessionID={c.id} />
              </li>
            ))}
          </ul>
        </nav>
      )}
      <Todos sessionID={sessionID} />
      <section class="transcript" aria-label="Transcript">
        {entries === undefined && <p class="muted">Loading the transcript…</p>}
        {entries?.length === 0 && <p class="muted">No messages yet. Write a prompt below.</p>}
        {entries?.map((entry) => (
          <MessageView key={entry.info.id} entry={entry} />
        ))}
        {error && (
          <p class="error-text" role="alert">
            {error}
          </p>
        )}
      </section>
      <Inbox sessionID={sessionID} />
      <PromptBox session={session} busy={busy} />
    </div>
  );
}
