// The console's shell: header, navigation, routes (client-side; the server answers every
// non-API browser navigation with this page), and the start of loading and the event stream.
import { render } from "preact";
import { useEffect } from "preact/hooks";
import "./styles.css";
import { changed, loadAll, report, state, useStore } from "./store";
import { follow } from "./live";
import { Link } from "./link";
import { PoolView } from "./pool";
import { SessionView } from "./session";
import { AgentsView } from "./agents";

function App() {
  const s = useStore();
  const route = s.route;
  const inbox = s.permissions.size + s.questions.size;
  useEffect(() => {
    const title = route.startsWith("/s/") ? s.sessions.get(route.slice(3))?.title : route === "/agents" ? "Agents" : "Pool";
    document.title = `${inbox ? `(${inbox}) ` : ""}${title ?? "Session"} · agentpool`;
  });
  let view;
  if (route.startsWith("/s/")) view = <SessionView sessionID={decodeURIComponent(route.slice(3))} />;
  else if (route === "/agents") view = <AgentsView />;
  else if (route === "/" || route === "/index.html") view = <PoolView />;
  else
    view = (
      <section>
        <h1>Not found</h1>
        <p>
          Nothing here. <Link href="/">Back to the pool</Link>.
        </p>
      </section>
    );
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/" class="brand">
          <img src="/favicon.svg" alt="" width={22} height={22} />
          <span>agentpool</span>
        </Link>
        <nav aria-label="Main">
          <Link href="/" aria-current={route === "/" ? "page" : undefined}>
            Pool
            {inbox > 0 && (
              <span class="badge" aria-label={`${inbox} waiting for you`}>
                {inbox}
              </span>
            )}
          </Link>
          <Link href="/agents" aria-current={route === "/agents" ? "page" : undefined}>
            Agents
          </Link>
        </nav>
        <span class={`conn ${s.connected ? "on" : "off"}`} role="status" aria-live="polite">
          {s.connected ? "live" : "connecting…"}
        </span>
      </header>
      {s.error && (
        <div class="banner" role="alert">
          <span>{s.error}</span>
          <button
            type="button"
            class="icon"
            aria-label="Dismiss the error"
            onClick={() => {
              state.error = undefined;
              changed();
            }}
          >
            ×
          </button>
        </div>
      )}
      <main id="main" tabIndex={-1}>
        {view}
      </main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
loadAll().catch(report);
void follow();
