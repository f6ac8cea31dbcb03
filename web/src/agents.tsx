// The configured agents of a project (GET /agent) with their models.
import { useEffect, useState } from "preact/hooks";
import { loadCatalog, projectDirectory, report, useStore } from "./store";
import { projectName } from "./format";

export function AgentsView() {
  const s = useStore();
  const [directory, setDirectory] = useState<string | undefined>(undefined);
  const chosen = directory ?? (s.projects[0] && projectDirectory(s.projects[0]));
  useEffect(() => {
    if (chosen) loadCatalog(chosen).catch(report);
  }, [chosen]);
  const catalog = chosen ? s.catalogs.get(chosen) : undefined;
  const agents = [...(catalog?.agents ?? [])].sort(
    (a, b) => Number(a.hidden ?? false) - Number(b.hidden ?? false) || a.name.localeCompare(b.name),
  );
  return (
    <section aria-labelledby="agents-title">
      <div class="view-head">
        <h1 id="agents-title">Agents</h1>
        {s.projects.length > 1 && (
          <label class="inline">
            <span>Project</span>
            <select value={chosen} onChange={(e) => setDirectory((e.target as HTMLSelectElement).value)}>
              {s.projects.map((p) => (
                <option key={p.id} value={projectDirectory(p)}>
                  {projectName(p)}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {!catalog && <p class="muted">Loading…</p>}
      <div class="agents">
        {agents.map((agent) => (
          <article class={`card agent${agent.hidden ? " hidden-agent" : ""}`} key={agent.name} aria-labelledby={`agent-${agent.name}`}>
            <h2 id={`agent-${agent.name}`}>
              {agent.color && <span class="dot" style={{ background: agent.color }} aria-hidden="true" />}
              {agent.name}
            </h2>
            <p class="tags small">
              <span class="tag">
                {agent.mode === "subagent" ? "sub-agent" : agent.mode === "all" ? "primary and sub-agent" : "primary"}
              </span>
              {agent.native && <span class="tag">built-in</span>}
              {agent.hidden && <span class="tag">hidden</span>}
            </p>
            {agent.description && <p>{agent.description}</p>}
            <dl class="small">
              <dt>Model</dt>
              <dd>{agent.model ? `${agent.model.providerID}/${agent.model.modelID}` : "the session's or the server's default"}</dd>
              {agent.temperature !== undefined && (
                <>
                  <dt>Temperature</dt>
                  <dd>{agent.temperature}</dd>
                </>
              )}
              {agent.steps !== undefined && (
                <>
                  <dt>Steps</dt>
                  <dd>{agent.steps}</dd>
                </>
              )}
            </dl>
          </article>
        ))}
      </div>
      {catalog && (
        <section class="card" aria-labelledby="models-title">
          <h2 id="models-title">Models</h2>
          <ul class="models">
            {catalog.providers.map((p) => {
              const models = Object.values(p.models);
              return (
                <li key={p.id}>
                  <details open={models.length <= 6}>
                    <summary>
                      <strong>{p.name}</strong>{" "}
                      <span class="muted small">
                        ({models.length} model{models.length === 1 ? "" : "s"})
                      </span>
                    </summary>
                    <ul class="model-list small">
                      {models.map((m) => (
                        <li key={m.id}>
                          {m.name || m.id} <code>{`${p.id}/${m.id}`}</code>
                        </li>
                      ))}
                    </ul>
                  </details>
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </section>
  );
}
