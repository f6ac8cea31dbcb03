// What waits for a person: permission requests and questions, answerable where they are shown
// (the pool's inbox for all sessions, the session view for its own).
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import type { PermissionRequest, QuestionRequest } from "@opencode-ai/sdk/v2/client";
import { Link } from "./link";
import { changed, client, directoryOf, must, report, state } from "./store";

function SessionRef(props: { sessionID: string; show: boolean }) {
  if (!props.show) return null;
  const session = state.sessions.get(props.sessionID);
  return (
    <p class="muted small">
      in <Link href={`/s/${props.sessionID}`}>{session?.title || props.sessionID}</Link>
    </p>
  );
}

export function PermissionCard(props: { request: PermissionRequest; showSession?: boolean }) {
  const { request } = props;
  const [busy, setBusy] = useState(false);
  const reply = async (reply: "once" | "always" | "reject") => {
    setBusy(true);
    try {
      must(await client.permission.reply({ requestID: request.id, reply, directory: directoryOf(request.sessionID) }));
      state.permissions.delete(request.id);
      changed();
    } catch (error) {
      report(error);
    } finally {
      setBusy(false);
    }
  };
  const title = `Permission: ${request.permission}`;
  // Short facts the tool gave (a command, a path); a diff is shown below as it is.
  const details = Object.entries(request.metadata).filter(
    (entry): entry is [string, string] =>
      typeof entry[1] === "string" && entry[0] !== "diff" && entry[1].length < 400 && !request.patterns.includes(entry[1]),
  );
  return (
    <article class="card ask" aria-label={title}>
      <h3>{title}</h3>
      <SessionRef sessionID={request.sessionID} show={props.showSession ?? false} />
      {request.patterns.length > 0 && (
        <ul class="patterns">
          {request.patterns.map((p) => (
            <li key={p}>
              <code>{p}</code>
            </li>
          ))}
        </ul>
      )}
      {details.length > 0 && (
        <dl class="small meta">
          {details.map(([key, value]) => (
            <Fragment key={key}>
              <dt>{key}</dt>
              <dd>
                <code>{value}</code>
              </dd>
            </Fragment>
          ))}
        </dl>
      )}
      {typeof request.metadata.diff === "string" && <pre>{request.metadata.diff}</pre>}
      <div class="actions">
        <button type="button" class="primary" disabled={busy} onClick={() => reply("once")}>
          Allow once
        </button>
        <button
          type="button"
          disabled={busy}
          title={request.always.length ? `From now on allow: ${request.always.join(", ")}` : undefined}
          onClick={() => reply("always")}
        >
          Always allow
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => reply("reject")}>
          Reject
        </button>
      </div>
    </article>
  );
}

export function QuestionCard(props: { request: QuestionRequest; showSession?: boolean }) {
  const { request } = props;
  const [picked, setPicked] = useState<string[][]>(() => request.questions.map(() => []));
  const [custom, setCustom] = useState<string[]>(() => request.questions.map(() => ""));
  const [busy, setBusy] = useState(false);
  const directory = directoryOf(request.sessionID);
  const done = async (action: () => Promise<{ data?: unknown; error?: unknown }>) => {
    setBusy(true);
    try {
      must(await action());
      state.questions.delete(request.id);
      changed();
    } catch (error) {
      report(error);
    } finally {
      setBusy(false);
    }
  };
  const answers = () => request.questions.map((_, i) => [...picked[i]!, ...(custom[i]!.trim() ? [custom[i]!.trim()] : [])]);
  const complete = answers().every((a) => a.length > 0);
  return (
    <article class="card ask" aria-label={`Question: ${request.questions[0]?.header ?? ""}`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (complete) void done(() => client.question.reply({ requestID: request.id, directory, answers: answers() }));
        }}
      >
        <h3>{request.questions.length > 1 ? "Questions" : "Question"}</h3>
        <SessionRef sessionID={request.sessionID} show={props.showSession ?? false} />
        {request.questions.map((q, i) => (
          <fieldset key={i}>
            <legend>{q.header || "Question"}</legend>
            <p>{q.question}</p>
            {q.options.map((option) => {
              const checked = picked[i]!.includes(option.label);
              return (
                <label class="option" key={option.label}>
                  <input
                    type={q.multiple ? "checkbox" : "radio"}
                    name={`${request.id}-${i}`}
                    value={option.label}
                    checked={checked}
                    onChange={() => {
                      const next = picked.map((x) => [...x]);
                      next[i] = q.multiple
                        ? checked
                          ? next[i]!.filter((x) => x !== option.label)
                          : [...next[i]!, option.label]
                        : [option.label];
                      setPicked(next);
                    }}
                  />
                  <span>
                    {option.label}
                    {option.description && option.description !== option.label && <span class="muted small"> {option.description}</span>}
                  </span>
                </label>
              );
            })}
            {q.custom !== false && (
              <label class="stack">
                <span class="small">Your own answer</span>
                <input
                  type="text"
                  value={custom[i]}
                  onInput={(e) => {
                    const next = [...custom];
                    next[i] = (e.target as HTMLInputElement).value;
                    setCustom(next);
                  }}
                />
              </label>
            )}
          </fieldset>
        ))}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy || !complete}>
            Answer
          </button>
          <button type="button" disabled={busy} onClick={() => done(() => client.question.reject({ requestID: request.id, directory }))}>
            Dismiss
          </button>
        </div>
      </form>
    </article>
  );
}

/** Everything waiting, for all sessions (the pool) or one session. */
export function Inbox(props: { sessionID?: string }) {
  const permissions = [...state.permissions.values()].filter((p) => !props.sessionID || p.sessionID === props.sessionID);
  const questions = [...state.questions.values()].filter((q) => !props.sessionID || q.sessionID === props.sessionID);
  if (props.sessionID && permissions.length + questions.length === 0) return null;
  return (
    <section
      class="inbox"
      aria-labelledby={props.sessionID ? undefined : "inbox-title"}
      aria-label={props.sessionID ? "Waiting for you" : undefined}
    >
      {!props.sessionID && (
        <h2 id="inbox-title">
          Inbox <span class="muted">({permissions.length + questions.length})</span>
        </h2>
      )}
      {!props.sessionID && permissions.length + questions.length === 0 && <p class="muted">Nothing is waiting for you.</p>}
      {permissions.map((p) => (
        <PermissionCard key={p.id} request={p} showSession={!props.sessionID} />
      ))}
      {questions.map((q) => (
        <QuestionCard key={q.id} request={q} showSession={!props.sessionID} />
      ))}
    </section>
  );
}
