// What upstream's v2 model list (`GET /api/model`) says beyond the v1 catalogue (/provider), as
// recorded by `npm run spec:sync` (spec/catalogue/models-v2.jsonl). Each model is first built
// from its v1 entry the way the server does (toModelV2); the recording keeps, per connected
// provider, only the fields upstream answers differently and the models v1 no longer lists
// (deprecated ones), each with the model it comes before in upstream's order.
import type { ModelV2Info, Provider } from "../../generated/schemas.js";
import type { ModelsV2Form } from "../../src/provider/catalogue.js";
import { toModelV2 } from "../../src/v2/catalog-shapes.js";
import type { ProviderList } from "./catalogue-record.js";

const MARKER = /zzENV_([A-Za-z0-9_]+)zz/g;

function templated<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(MARKER, "{env:$1}")) as T;
}

/**
 * The v2 list's difference from the v1 list of the same run. `form` names how the providers were
 * connected: "env" (a key variable set) or "keyless" (OpenCode Zen's free models, no key at all).
 */
export function modelsV2Forms(
  plain: ProviderList,
  v1: ProviderList,
  v2: ModelV2Info[],
  form: ModelsV2Form["form"],
): ModelsV2Form[] {
  const providers = new Map<string, Provider>(v1.all.map((p) => [p.id, p]));
  const forms = new Map<string, ModelsV2Form>();
  const formOf = (id: string) => {
    let entry = forms.get(id);
    if (!entry) forms.set(id, (entry = { id, form, changed: {}, added: [] }));
    return entry;
  };
  v2.forEach((model, index) => {
    const provider = providers.get(model.providerID);
    const v1Model = provider?.models[model.id];
    const entry = formOf(model.providerID);
    if (!provider || !v1Model) {
      // Placed before the next model of its provider released the same day that v1 lists too.
      const next = v2
        .slice(index + 1)
        .find((m) => m.time.released === model.time.released && m.providerID === model.providerID && provider?.models[m.id]);
      entry.added.push({ model: templated(model), ...(next ? { before: next.id } : {}) });
      return;
    }
    const ours = toModelV2(v1Model, provider) as unknown as Record<string, unknown>;
    const patch: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(model)) if (JSON.stringify(value) !== JSON.stringify(ours[field])) patch[field] = value;
    if (Object.keys(patch).length) entry.changed[model.id] = templated(patch) as Partial<ModelV2Info>;
  });
  // Where the server's order of a provider's models (the catalogue's, then the models only the
  // connected provider has; see connect() in src/provider/provider-list.ts) and the places of the
  // added models do not give upstream's order, the recording keeps upstream's order whole.
  const before = new Map(plain.all.map((p) => [p.id, Object.keys(p.models)]));
  for (const [id, entry] of forms) {
    const listed = Object.keys(providers.get(id)?.models ?? {});
    const catalogue = (before.get(id) ?? []).filter((m) => listed.includes(m));
    const ours = [...catalogue, ...listed.filter((m) => !catalogue.includes(m))];
    for (const { model, before: next } of entry.added) {
      const at = next ? ours.indexOf(next) : -1;
      ours.splice(at < 0 ? ours.length : at, 0, model.id);
    }
    const theirs = v2.filter((m) => m.providerID === id);
    const released = new Map(theirs.map((m) => [m.id, m.time.released]));
    const sorted = ours.filter((m) => released.has(m)).sort((a, b) => released.get(b)! - released.get(a)!);
    if (sorted.join("\n") !== theirs.map((m) => m.id).join("\n")) entry.order = theirs.map((m) => m.id);
  }
  return [...forms.values()].filter((f) => f.added.length || Object.keys(f.changed).length || f.order);
}
