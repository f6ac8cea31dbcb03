// One session: its transcript (streaming text and reasoning, tool calls), todos, sub-agent
// sessions, what waits for an answer, and the prompt box with agent and model pickers.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { AssistantMessage, Part, Session, ToolPart } from "@opencode-ai/sdk/v2/client";
import { Inbox } from "./inbox";
import { Link } from "./link";
import { Markdown } from "./markdown";
import { StatusBadge } from "./pool";
import {
  client,
  formatCost,
  formatTokens,
  loadCatalog,
  loadSession,
  must,
  navigate,
  report,
  state,
  statusLabel,
  useStore,
  type Entry,
} from "./store";

function json(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function ToolView(props: { part: ToolPart }) {
  const { part } = props;
  const st = part.state;
  const title = "title" in st && st.title ? st.title : undefined;
  const child = (st.status === "running" || st.status === "completed") && typeof st.metadata?.sessionId === "string" ? st.metadata.sessionId : undefined;
  return (
    <details class={`part tool ${st.status}`} open>
      <summary>
        <span class="tool-name">{part.tool}</span>
        <span class={`tool-state ${st.status}`}>{st.status}</span>
        {title && <span class="muted small tool-title">{title}</span>}
      </summary>
      {st.input && Object.keys(st.input).length > 0 && (
        <div class="io">
          <h4>Input</h4>
          <pre>{json(st.input)}</pre>
        </div>
      )}
      {st.status === "completed" && (
        <div class="io">
          <h4>Output</h4>
          <pre class="output">{st.output}</pre>
        </div>
      )}
      {st.status === "error" && <p class="error-text">{st.error}</p>}
      {child && (
        <p>
          <Link href={`/s/${child}`}>Open the sub-agent session</Link>
        </p>
      )}
    </details>
  );
}

function PartView(props: { part: Part; streaming: boolean }) {
  const { part } = props;
  switch (part.type) {
    case "text":
      return part.synthetic || part.ignored ? null : (
        <div class="part text">
          <Markdown text={part.text} />
        </div>
      );
    case "reasoning":
      if (!part.text) return null;
      return (
        <details class="part reasoning" open>
          <summary>Reasoning{props.streaming && !part.time.end ? "…" : ""}</summary>
          <div class="text">{part.text}</div>
        </details>
      );
    case "tool":
      return <ToolView part={part} />;
    case "file":
      return <div class="part chip">file: {part.filename ?? part.url}</div>;
    case "patch":
      return <div class="part chip">changed: {part.files.join(", ")}</div>;
    case "subtask":
      return <div class="part chip">sub-agent {part.agent}: {part.description}</div>;
    case "agent":
      return <div class="part chip">@{part.name}</div>;
    case "compaction":
      return <div class="part chip">The conversation was summarized here.</div>;
    case "retry":
      return <div class="part chip">Retry {part.attempt}: {part.error.data.message}</div>;
    default:
      return null;
  }
}

function MessageView(props: { entry: Entry }) {
  const { info, parts } = props.entry;
  if (info.role === "user") {
    return (
      <article class="msg user" aria-label="Your message">
        {parts.map((p) => (
          <PartView key={p.id} part={p} streaming={false} />
        ))}
      </article>
    );
  }
  const a = info as AssistantMessage;
  const streaming = !a.time.completed;
  const error = a.error && a.error.name !== "MessageAbortedError" ? (a.error.data as { message?: string }).message ?? a.error.name : undefined;
  return (
    <article class="msg assistant" aria-label={`Reply of ${a.agent}`} aria-busy={streaming}>
      <p class="msg-head muted small">
        {a.agent} · {a.providerID}/{a.modelID}
        {a.summary ? " · summary" : ""}
        {a.time.completed ? ` · ${formatTokens(a.tokens.input)} in, ${formatTokens(a.tokens.output)} out` : " · working…"}
      </p>
      {parts.map((p) => (
        <PartView key={p.id} part={p} streaming={streaming} />
      ))}
      {a.error?.name === "MessageAbortedError" && <p class="muted small">Interrupted.</p>}
      {error && <p class="error-text">{error}</p>}
    </article>
  );
}

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

function modelKey(m: { providerID: string; modelID: string } | undefined): string {
  return m ? `${m.providerID}/${m.modelID}` : "";
}

function PromptBox(props: { session: Session; busy: boolean }) {
  const { session } = props;
  const catalog = state.catalogs.get(session.directory);
  const entries = state.messages.get(session.id) ?? [];
  const lastUser = entries.findLast((m) => m.info.role === "user")?.info;
  const [text, setText] = useState("");
  const [agent, setAgent] = useState<string | undefined>(undefined);
  const [model, setModel] = useState<string | undefined>(undefined);
  const primary = (catalog?.agents ?? []).filter((a) => a.mode !== "subagent" && !a.hidden);
  const chosenAgent = agent ?? (lastUser?.role === "user" ? lastUser.agent : undefined) ?? session.agent ?? primary[0]?.name ?? "";
  // A sub-agent's session keeps its sub-agent on offer.
  const agents = primary.some((a) => a.name === chosenAgent) ? primary : [...primary, ...(catalog?.agents ?? []).filter((a) => a.name === chosenAgent)];
  const agentModel = catalog?.agents.find((a) => a.name === chosenAgent)?.model;
  const chosenModel = model ?? (lastUser?.role === "user" ? modelKey(lastUser.model) : "");
  const effectiveModel = chosenModel || modelKey(agentModel);
  const send = async () => {
    const prompt = text.trim();
    if (!prompt) return;
    const [providerID, ...rest] = effectiveModel.split("/");
    setText("");
    try {
      must(
        await client.session.promptAsync({
          sessionID: session.id,
          directory: session.directory,
          agent: chosenAgent || undefined,
          model: effectiveModel ? { providerID: providerID!, modelID: rest.join("/") } : undefined,
          parts: [{ type: "text", text: prompt }],
        }),
      );
    } catch (error) {
      setText(prompt);
      report(error);
    }
  };
  return (
    <form
      class="prompt card"
      aria-label="New prompt"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <label class="visually-hidden" for="prompt-text">
        Prompt
      </label>
      <textarea
        id="prompt-text"
        rows={3}
        placeholder={props.busy ? "The agent is working; a new prompt waits in the queue" : "Ask the agent… (Enter sends, Shift+Enter for a new line)"}
        value={text}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void send();
          }
        }}
      />
      <div class="prompt-bar">
        <label class="inline">
          <span>Agent</span>
          <select value={chosenAgent} onChange={(e) => setAgent((e.target as HTMLSelectElement).value)}>
            {agents.map((a) => (
              <option key={a.name} value={a.name}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label class="inline">
          <span>Model</span>
          <select value={chosenModel} onChange={(e) => setModel((e.target as HTMLSelectElement).value)}>
            <option value="">{agentModel ? `Agent's model (${modelKey(agentModel)})` : "Server default"}</option>
            {(catalog?.providers ?? []).map((p) => (
              <optgroup key={p.id} label={p.name}>
                {Object.values(p.models).map((m) => (
                  <option key={m.id} value={`${p.id}/${m.id}`}>
                    {m.name || m.id}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
        <button type="submit" class="primary" disabled={!text.trim()}>
          Send
        </button>
      </div>
    </form>
  );
}

function SessionActions(props: { session: Session; busy: boolean }) {
  const { session } = props;
  const [working, setWorking] = useState<string | undefined>();
  const run = async (name: string, action: () => Promise<void>) => {
    setWorking(name);
    try {
      await action();
    } catch (error) {
      report(error);
    } finally {
      setWorking(undefined);
    }
  };
  const lastAssistant = state.messages.get(session.id)?.findLast((m) => m.info.role === "assistant")?.info as AssistantMessage | undefined;
  return (
    <div class="actions" role="group" aria-label="Session actions">
      <button
        type="button"
        class="danger"
        disabled={!props.busy || working === "abort"}
        onClick={() => run("abort", async () => void must(await client.session.abort({ sessionID: session.id, directory: session.directory })))}
      >
        Abort
      </button>
      <button
        type="button"
        disabled={working === "fork"}
        onClick={() =>
          run("fork", async () => {
            const fork = must(await client.session.fork({ sessionID: session.id, directory: session.directory }));
            state.sessions.set(fork.id, fork);
            navigate(`/s/${fork.id}`);
          })
        }
      >
        Fork
      </button>
      <button
        type="button"
        disabled={props.busy || !lastAssistant || working === "summarize"}
        title={lastAssistant ? undefined : "Nothing to summarize yet"}
        onClick={() =>
          run("summarize", async () => {
            must(
              await client.session.summarize({
                sessionID: session.id,
                directory: session.directory,
                providerID: lastAssistant!.providerID,
                modelID: lastAssistant!.modelID,
              }),
            );
          })
        }
      >
        {working === "summarize" ? "Summarizing…" : "Summarize"}
      </button>
    </div>
  );
}

/** Keeps the page scrolled to the end while the reader is there. */
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
