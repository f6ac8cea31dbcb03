// Which models a server can run, bound once to its environment (provider keys) and its stored
// credentials, so the services that pick or run a model (prompts, titles, shell, compaction,
// the CLI's banner) all see the same providers without passing keys around.
import type { Config } from "../../../generated/schemas.js";
import { fallbackModel, listProviders, type ProviderList } from "../../provider/provider-list.js";
import { ModelNotFoundError, resolveModel, smallModel, type Credentials, type ModelRef, type ResolvedModel } from "./models.js";

export class ModelResolver {
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly credentials?: Credentials,
  ) {}

  /** The providers the config connects, with their models. */
  providers(config: Config): ProviderList {
    return listProviders(config, this.env, this.credentials);
  }

  /** A model ready to call; throws ModelNotFoundError, or ProviderAuthError for a provider with no key. */
  resolve(config: Config, ref: ModelRef, directory?: string): ResolvedModel {
    return resolveModel(config, ref, this.env, this.credentials, directory);
  }

  /** The model of a prompt that names none while `model` is not configured: the first usable one, else the demo script. */
  fallback(config: Config): ModelRef | undefined {
    return fallbackModel(this.providers(config), config);
  }

  /** The model for titles and summaries, given the conversation's main model. */
  small(config: Config, main: ModelRef | undefined): ModelRef | undefined {
    return smallModel(config, main, this.env, this.credentials);
  }

  /** Refuses a model no connected provider offers before anything is stored (a run would only fail). */
  assertExists(config: Config, ref: ModelRef, directory: string): void {
    try {
      this.resolve(config, ref, directory);
    } catch (error) {
      if (error instanceof ModelNotFoundError) throw error;
      // Anything else (no key, a missing package) ends the run with that error, where the user sees it.
    }
  }
}
