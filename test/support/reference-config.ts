// The opencode.json the reference captures were recorded with (a scripted "fake" provider),
// pointed at `baseURL`.
export function referenceConfig(baseURL = "http://127.0.0.1:4151/v1") {
  return {
    share: "disabled",
    autoupdate: false,
    model: "fake/fake-model",
    small_model: "fake/fake-model",
    provider: {
      fake: {
        npm: "@ai-sdk/openai-compatible",
        name: "Fake LLM",
        options: { baseURL, apiKey: "sk-fake" },
        models: { "fake-model": { name: "Fake Model", tool_call: true, reasoning: true, limit: { context: 128000, output: 4096 } } },
      },
    },
  };
}
