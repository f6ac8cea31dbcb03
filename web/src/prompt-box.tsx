// The prompt box of a session (text, agent and model pickers, send) and its actions (abort, fork,
// summarize).
import { useState } from "preact/hooks";
import type { AssistantMessage, Session } from "@opencode-ai/sdk/v2/client";
import { client, must, navigate, report, state } from "./store";

function modelKey(m: { providerID: string; modelID: string } | undefined): string {
  return m ? `${m.providerID}/${m.modelID}` : "";
}

export function PromptBox(props: { session: Session; busy: boolean }) {
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
  const agents = primary.some((a) => a.name === chosenAgent)
    ? primary
    : [...primary, ...(catalog?.agents ?? []).filter((a) => a.name === chosenAgent)];
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
        placeholder={
          props.busy ? "The agent is working; a new prompt waits in the queue" : "Ask the agent… (Enter sends, Shift+Enter for a new line)"
        }
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

export function SessionActions(props: { session: Session; busy: boolean }) {
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
        onClick={() =>
          run("abort", async () => void must(await client.session.abort({ sessionID: session.id, directory: session.directory })))
        }
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
