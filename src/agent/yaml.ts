// The yaml package, required on the first YAML text parsed (agent markdown front matter, AgentPool
// manifests, scripted-model scripts) instead of at start: it is CommonJS in 72 files (about 30 ms
// to load), and most servers parse no YAML. Synchronous, so parsing stays where it was.
import { createRequire } from "node:module";

type Yaml = typeof import("yaml");

let yaml: Yaml | undefined;

/** yaml's `parse`, with its own signature. */
export const parseYaml: Yaml["parse"] = ((...args: Parameters<Yaml["parse"]>) => {
  yaml ??= createRequire(import.meta.url)("yaml") as Yaml;
  return (yaml.parse as (...a: unknown[]) => unknown)(...args);
}) as Yaml["parse"];
