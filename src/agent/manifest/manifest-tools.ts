// AgentPool's tools, toolsets and ACP providers in this server's terms: toolsets and builtin tools
// become the OpenCode tools that do the same (an agent that lists any gets only those), and the
// ACP providers AgentPool knows start their usual commands.

/** The OpenCode tools an AgentPool toolset stands for. */
const TOOLSETS: Record<string, string[]> = {
  file_access: ["read", "write", "edit", "list", "glob", "grep"],
  execution: ["bash"],
  plan: ["todowrite", "todoread"],
  subagent: ["task"],
  workers: ["task"],
  user_interaction: ["question"],
  skills: ["skill"],
};

/** AgentPool's builtin tools (`type: builtin`, `builtin_type`) we have. */
const BUILTIN_TOOLS: Record<string, string[]> = { web_fetch: ["webfetch"] };

/** The tools an agent's `tools` map can turn off. */
const OPENCODE_TOOLS = ["bash", "read", "write", "edit", "list", "glob", "grep", "todowrite", "todoread", "question", "task", "webfetch", "skill"];

/**
 * An agent's `tools` and `toolsets` as the OpenCode tools it may use (undefined when it lists
 * neither: it gets OpenCode's usual set), and what had no OpenCode counterpart.
 */
export function mapTools(entry: { tools?: unknown; toolsets?: unknown }): { tools?: Record<string, boolean>; unsupported: string[] } {
  const unsupported: string[] = [];
  if (!Array.isArray(entry.tools) && !Array.isArray(entry.toolsets)) return { unsupported };
  const allowed = new Set<string>();
  const allow = (names: string[] | undefined, label: string) => {
    if (names) for (const name of names) allowed.add(name);
    else unsupported.push(label);
  };
  for (const tool of (entry.tools as unknown[] | undefined) ?? []) {
    if (typeof tool === "string") allow(OPENCODE_TOOLS.includes(tool) ? [tool] : undefined, `tools: ${tool}`);
    else if (tool && typeof tool === "object") {
      const { type, builtin_type, name, import_path } = tool as Record<string, unknown>;
      if (type === "builtin") allow(BUILTIN_TOOLS[String(builtin_type)], `tools: builtin ${String(builtin_type)}`);
      else {
        const named = typeof name === "string" && OPENCODE_TOOLS.includes(name) ? [name] : undefined;
        allow(named, `tools: ${String(name ?? import_path)}`);
      }
    }
  }
  for (const toolset of (entry.toolsets as unknown[] | undefined) ?? []) {
    const type = toolset && typeof toolset === "object" ? String((toolset as { type?: unknown }).type) : String(toolset);
    allow(TOOLSETS[type], `toolsets: ${type}`);
  }
  return { tools: Object.fromEntries(OPENCODE_TOOLS.map((name) => [name, allowed.has(name)])), unsupported };
}

/** How the named ACP providers start, after AgentPool (the command, its arguments, what to install). */
interface AcpProvider {
  command: string[];
  /** Arguments that pass the entry's `model`. */
  model?: (model: string) => string[];
  install: string;
}

export const ACP_PROVIDERS: Record<string, AcpProvider> = {
  claude: {
    command: ["claude-code-acp"],
    model: (model) => ["--model", model],
    install: "npm install -g @zed-industries/claude-code-acp",
  },
  codex: {
    command: ["npx", "@zed-industries/codex-acp"],
    model: (model) => ["-c", `model="${model}"`],
    install: "Node.js with npx (the package @zed-industries/codex-acp is fetched on first use)",
  },
  gemini: {
    command: ["gemini", "--experimental-acp"],
    model: (model) => ["--model", model],
    install: "npm install -g @google/gemini-cli",
  },
  opencode: { command: ["opencode", "acp"], install: "npm install -g opencode-ai" },
  goose: { command: ["goose", "acp"], install: "Goose (https://block.github.io/goose/docs/getting-started/installation)" },
};

/** The command (argv) of an ACP entry: `command` and `args` for `provider: custom`, else the provider's. */
export function acpCommand(entry: Record<string, unknown>): { command: string[]; install?: string } | undefined {
  const provider = typeof entry.provider === "string" ? entry.provider : "custom";
  if (provider === "custom") {
    const args = Array.isArray(entry.args) ? entry.args.map(String) : [];
    return typeof entry.command === "string" ? { command: [entry.command, ...args] } : undefined;
  }
  const known = ACP_PROVIDERS[provider];
  if (!known) return undefined;
  const model = typeof entry.model === "string" && known.model ? known.model(entry.model) : [];
  return { command: [...known.command, ...model], install: known.install };
}
