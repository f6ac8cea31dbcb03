// Upstream's provider catalogue as the pinned `opencode serve` lists it (spec/catalogue/, written
// by `npm run spec:sync`): every provider and model as a client sees them before connecting, and
// what changes once upstream connects a provider from the environment. Read on first use, once;
// each of the 225 providers (6.4 MB of JSON) is parsed only when asked for, see catalogue-providers.ts.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { ModelV2Info, Provider, ProviderAuthMethod } from "../../generated/schemas.js";
import { SPEC_DIR } from "../contract/served-spec.js";
import { CatalogueProviders } from "./catalogue-providers.js";

export { CatalogueProviders };

export const CATALOGUE_DIR = path.join(SPEC_DIR, "catalogue");

/** What changes on a provider once upstream connects it from the environment (values as `{env:NAME}`). */
export interface ConnectedForm {
  id: string;
  source: Provider["source"];
  /** Upstream reports the key of providers with one key variable. */
  key?: string;
  options: Record<string, unknown>;
  /** Models upstream no longer lists once connected (deprecated ones, for example). */
  removedModels: string[];
  /** Models listed only once connected, or listed differently (another package, say). */
  models: Record<string, Provider["models"][string]>;
}

/**
 * What upstream's v2 model list (/api/model) answers beyond the v1 catalogue for a provider
 * connected one way (values as `{env:NAME}`): fields it answers differently than the v1 model
 * gives, and the models only it lists (deprecated ones), each before the model it precedes.
 */
export interface ModelsV2Form {
  id: string;
  /** "env": connected by a key (variable or stored); "keyless": connected with no key (OpenCode Zen). */
  form: "env" | "keyless";
  changed: Record<string, Partial<ModelV2Info>>;
  added: { model: ModelV2Info; before?: string }[];
  /** Upstream's order of the provider's models, when the catalogue's order and `before` do not give it. */
  order?: string[];
}

export interface Catalogue {
  /** Every provider, in upstream's order, as listed before connecting; each read on first use. */
  providers: CatalogueProviders;
  connected: Map<string, ConnectedForm>;
  /** Providers upstream connects without any key (OpenCode Zen's free models). */
  keyless: Set<string>;
  auth: Record<string, ProviderAuthMethod[]>;
}

function readLines<T>(file: string): T[] {
  return readFileSync(path.join(CATALOGUE_DIR, file), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(path.join(CATALOGUE_DIR, file), "utf8")) as T;
}

let loaded: Catalogue | undefined;

export function upstreamCatalogue(): Catalogue {
  loaded ??= {
    providers: new CatalogueProviders(path.join(CATALOGUE_DIR, "providers.jsonl")),
    connected: new Map(readLines<ConnectedForm>("connected.jsonl").map((c) => [c.id, c])),
    keyless: new Set(readJson<string[]>("keyless.json")),
    auth: readJson<Record<string, ProviderAuthMethod[]>>("provider-auth.json"),
  };
  return loaded;
}

let modelsV2: Map<string, ModelsV2Form> | undefined;

/** spec/catalogue/models-v2.jsonl by `${form}:${providerID}`; read on the first v2 model list, once. */
export function upstreamModelsV2(): Map<string, ModelsV2Form> {
  modelsV2 ??= new Map(readLines<ModelsV2Form>("models-v2.jsonl").map((f) => [`${f.form}:${f.id}`, f]));
  return modelsV2;
}
