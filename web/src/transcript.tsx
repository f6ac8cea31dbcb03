// A session's transcript: each message with its parts (streaming text and reasoning, tool calls
// with their input and output, the sub-agent session a task started).
import type { AssistantMessage, Part, ToolPart } from "@opencode-ai/sdk/v2/client";
import { Link } from "./link";
import { Markdown } from "./markdown";
import { type Entry } from "./store";
import { formatTokens } from "./format";

function json(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function ToolView(props: { part: ToolPart }) {
  const { part } = props;
  const st = part.state;
  const title = "title" in st && st.title ? st.title : undefined;
  const child =
    (st.status === "running" || st.status === "completed") && typeof st.metadata?.sessionId === "string"
      ? st.metadata.sessionId
      : undefined;
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
      return (
        <div class="part chip">
          sub-agent {part.agent}: {part.description}
        </div>
      );
    case "agent":
      return <div class="part chip">@{part.name}</div>;
    case "compaction":
      return <div class="part chip">The conversation was summarized here.</div>;
    case "retry":
      return (
        <div class="part chip">
          Retry {part.attempt}: {part.error.data.message}
        </div>
      );
    default:
      return null;
  }
}

export function MessageView(props: { entry: Entry }) {
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
  const error =
    a.error && a.error.name !== "MessageAbortedError" ? ((a.error.data as { message?: string }).message ?? a.error.name) : undefined;
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
