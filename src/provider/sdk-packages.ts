// The AI SDK provider packages this server includes, chosen by a model's `npm` field as upstream
// chooses them. Each is loaded on first use (most runs need one or two of them). To add another:
// `npm install <package>` (its ai v6 generation, whose @ai-sdk/provider is 3.x) and add a line below.
import { createRequire } from "node:module";
import type { LanguageModel } from "ai";

const load = createRequire(import.meta.url);

type Factory = (options: Record<string, unknown>) => (modelID: string) => LanguageModel;

interface SdkPackage {
  /** The package's export that makes a provider from options. */
  create: string;
  /** The key of `providerOptions` the package reads (the provider's id when not fixed). */
  optionsKey?: string;
}

const PACKAGES: Record<string, SdkPackage> = {
  "@ai-sdk/openai-compatible": { create: "createOpenAICompatible" },
  "@ai-sdk/openai": { create: "createOpenAI", optionsKey: "openai" },
  "@ai-sdk/anthropic": { create: "createAnthropic", optionsKey: "anthropic" },
  "@ai-sdk/google": { create: "createGoogleGenerativeAI", optionsKey: "google" },
  "@ai-sdk/google-vertex": { create: "createVertex", optionsKey: "google" },
  "@ai-sdk/google-vertex/anthropic": { create: "createVertexAnthropic", optionsKey: "anthropic" },
  "@ai-sdk/amazon-bedrock": { create: "createAmazonBedrock", optionsKey: "bedrock" },
  "@ai-sdk/azure": { create: "createAzure", optionsKey: "openai" },
  "@ai-sdk/groq": { create: "createGroq", optionsKey: "groq" },
  "@ai-sdk/mistral": { create: "createMistral", optionsKey: "mistral" },
  "@ai-sdk/xai": { create: "createXai", optionsKey: "xai" },
  "@ai-sdk/deepseek": { create: "createDeepSeek", optionsKey: "deepseek" },
  "@ai-sdk/togetherai": { create: "createTogetherAI", optionsKey: "togetherai" },
  "@ai-sdk/deepinfra": { create: "createDeepInfra", optionsKey: "deepinfra" },
  "@ai-sdk/cerebras": { create: "createCerebras", optionsKey: "cerebras" },
  "@ai-sdk/perplexity": { create: "createPerplexity", optionsKey: "perplexity" },
  "@ai-sdk/cohere": { create: "createCohere", optionsKey: "cohere" },
  "@ai-sdk/gateway": { create: "createGateway", optionsKey: "gateway" },
  "@openrouter/ai-sdk-provider": { create: "createOpenRouter", optionsKey: "openrouter" },
};

/** A provider's options without upstream's own request settings (timeouts, cache key), which no package reads. */
export function packageOptions(options: Record<string, unknown>): Record<string, unknown> {
  const { timeout: _t, headerTimeout: _h, chunkTimeout: _c, setCacheKey: _s, ...rest } = options;
  return rest;
}

/** A model's package is not included (and the model gives no API URL to reach it another way). */
export class MissingSdkPackageError extends Error {
  constructor(
    readonly providerID: string,
    readonly npm: string,
  ) {
    super(
      `Provider ${providerID} needs the AI SDK package ${npm}, which this server does not include. ` +
        `Add it with \`npm install ${npm}\` in the server's folder and register it in src/provider/sdk-packages.ts, ` +
        `or configure the provider with "npm": "@ai-sdk/openai-compatible" and an options.baseURL.`,
    );
  }
}

export interface SdkModel {
  language: LanguageModel;
  /** Where provider options (a variant's reasoning effort, say) go in a request. */
  optionsKey: string;
}

/**
 * The language model for `modelID` of a provider: through the model's package when included,
 * else OpenAI-compatible at the model's API URL (as upstream reaches most catalogue providers).
 */
export function sdkModel(providerID: string, npm: string, apiURL: string, modelID: string, options: Record<string, unknown>): SdkModel {
  const baseURL = (options.baseURL as string | undefined) || apiURL || undefined;
  // A package not included, with a URL to reach the model: OpenAI-compatible, as upstream.
  const name = PACKAGES[npm] ? npm : baseURL ? "@ai-sdk/openai-compatible" : undefined;
  if (!name) throw new MissingSdkPackageError(providerID, npm);
  const pkg = PACKAGES[name]!;
  const exports = load(name) as Record<string, Factory>;
  const create = exports[pkg.create]!;
  if (pkg.create === "createOpenAICompatible" && !baseURL)
    throw new Error(`Provider ${providerID} has no API URL: set options.baseURL in its config`);
  const settings = { ...packageOptions(options), name: providerID, ...(baseURL ? { baseURL } : {}), includeUsage: true };
  return { language: create(settings)(modelID), optionsKey: pkg.optionsKey ?? providerID };
}
