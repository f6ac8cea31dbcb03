// Turns what the pinned `opencode serve` answered into the provider catalogue we ship as data
// (spec/catalogue/). Two recordings go in: `GET /provider` with no key anywhere (every provider
// as a client lists it before connecting), and `GET /provider` with every key variable the
// catalogue names set to a marker value (every provider as upstream connects it from the
// environment). The second is kept as a difference from the first, with the markers turned into
// `{env:NAME}` so the server can put the user's own values in at run time.
import type { Provider } from "../../generated/schemas.js";
import type { ConnectedForm } from "../../src/provider/catalogue.js";

export interface ProviderList {
  all: Provider[];
  default: Record<string, string>;
  connected: string[];
}

/** The value a recording run gives the variable NAME, so that it can be found again in the answer. */
export function envMarker(name: string): string {
  return `zzENV_${name}zz`;
}

const MARKER = /zzENV_([A-Za-z0-9_]+)zz/g;
// Upstream puts its own OS into some user agents; the server fills in the one it runs on.
const PLATFORM = /\((?:linux|darwin|win32|freebsd) [^;()]+; [A-Za-z0-9_]+\)/g;

function templated<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(MARKER, "{env:$1}").replace(PLATFORM, "({platform})")) as T;
}

/** Every key variable the catalogue names, for the recording run. */
export function envNames(list: ProviderList): string[] {
  return [...new Set(list.all.flatMap((provider) => provider.env))].sort();
}

export function connectedForms(plain: ProviderList, connected: ProviderList): ConnectedForm[] {
  const before = new Map(plain.all.map((provider) => [provider.id, provider]));
  const forms: ConnectedForm[] = [];
  for (const provider of connected.all) {
    if (!connected.connected.includes(provider.id)) continue;
    const base = before.get(provider.id);
    const models: ConnectedForm["models"] = {};
    for (const [id, model] of Object.entries(provider.models)) {
      const old = base?.models[id];
      if (!old || JSON.stringify(old) !== JSON.stringify(model)) models[id] = model;
    }
    forms.push(
      templated({
        id: provider.id,
        source: provider.source,
        ...(provider.key !== undefined ? { key: provider.key } : {}),
        options: provider.options,
        removedModels: Object.keys(base?.models ?? {}).filter((id) => !(id in provider.models)),
        models,
      }),
    );
  }
  return forms;
}

/** One JSON document per line: a reviewable diff when upstream's catalogue changes. */
export function jsonLines(items: unknown[]): string {
  return items.map((item) => JSON.stringify(item)).join("\n") + "\n";
}
