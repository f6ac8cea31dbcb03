// Code formatters as OpenCode configures them: `formatter: true` turns the built-in ones on,
// an object turns them on with overrides and adds custom ones ({command, extensions,
// environment, disabled}); absent or false turns formatting off. A built-in formatter is enabled
// where its program is installed; a custom one whenever it is not disabled (as upstream reports).
import path from "node:path";
import type { Config } from "../../generated/schemas.js";
import { findExecutable } from "../process/executables.js";
import { NO_WORKTREE, findWorktree } from "../git/worktree.js";

export interface Formatter {
  name: string;
  /** The command; `$FILE` stands for the file to format. */
  command: string[];
  extensions: string[];
  environment: Record<string, string>;
  disabled: boolean;
  /** Defined in the configuration: enabled unless disabled, as upstream reports it. */
  custom: boolean;
}

const WEB = [".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts"];
const WEB_AND_MORE = [
  ...WEB,
  ...[".html", ".htm", ".css", ".scss", ".sass", ".less", ".vue", ".svelte", ".json", ".jsonc", ".yaml", ".yml", ".toml", ".xml"],
  ...[".md", ".mdx", ".graphql", ".gql"],
];
const RUBY = [".rb", ".rake", ".gemspec", ".ru"];
const C_FAMILY = [".c", ".cc", ".cpp", ".cxx", ".c++", ".h", ".hh", ".hpp", ".hxx", ".h++", ".ino", ".C", ".H"];

/**
 * The built-in formatters, in the order upstream lists them, each formatting a file in place.
 * One is enabled where its program is installed (on PATH or in the project's node_modules/.bin).
 */
const BUILT_IN: Formatter[] = (
  [
    ["zig", ["zig", "fmt", "$FILE"], [".zig", ".zon"]],
    ["uv", ["uv", "format", "--", "$FILE"], [".py", ".pyi"]],
    ["terraform", ["terraform", "fmt", "$FILE"], [".tf", ".tfvars"]],
    ["standardrb", ["standardrb", "--fix", "$FILE"], RUBY],
    ["shfmt", ["shfmt", "-w", "$FILE"], [".sh", ".bash"]],
    ["rustfmt", ["rustfmt", "$FILE"], [".rs"]],
    ["ruff", ["ruff", "format", "$FILE"], [".py", ".pyi"]],
    ["rubocop", ["rubocop", "--autocorrect", "$FILE"], RUBY],
    ["air", ["air", "format", "$FILE"], [".R"]],
    ["prettier", ["prettier", "--write", "$FILE"], WEB_AND_MORE],
    ["pint", ["pint", "$FILE"], [".php"]],
    ["oxfmt", ["oxfmt", "$FILE"], WEB],
    ["ormolu", ["ormolu", "-i", "$FILE"], [".hs"]],
    ["ocamlformat", ["ocamlformat", "-i", "$FILE"], [".ml", ".mli"]],
    ["nixfmt", ["nixfmt", "$FILE"], [".nix"]],
    ["mix", ["mix", "format", "$FILE"], [".ex", ".exs", ".eex", ".heex", ".leex", ".neex", ".sface"]],
    ["latexindent", ["latexindent", "-w", "-s", "$FILE"], [".tex"]],
    ["ktlint", ["ktlint", "-F", "$FILE"], [".kt", ".kts"]],
    ["htmlbeautifier", ["htmlbeautifier", "$FILE"], [".erb", ".html.erb"]],
    ["gofmt", ["gofmt", "-w", "$FILE"], [".go"]],
    ["gleam", ["gleam", "format", "$FILE"], [".gleam"]],
    ["dfmt", ["dfmt", "-i", "$FILE"], [".d"]],
    ["dart", ["dart", "format", "$FILE"], [".dart"]],
    ["cljfmt", ["cljfmt", "fix", "--quiet", "$FILE"], [".clj", ".cljs", ".cljc", ".edn"]],
    ["clang-format", ["clang-format", "-i", "$FILE"], C_FAMILY],
    ["biome", ["biome", "format", "--write", "$FILE"], WEB_AND_MORE],
  ] as [string, string[], string[]][]
).map(([name, command, extensions]) => ({ name, command, extensions, environment: {}, disabled: false, custom: false }));

type FormatterOverride = { disabled?: boolean; command?: string[]; environment?: Record<string, string>; extensions?: string[] };

/** The formatters a configuration turns on, built-in ones first. */
export function configuredFormatters(config: Config): Formatter[] {
  const setting = config.formatter as boolean | Record<string, FormatterOverride> | undefined;
  if (!setting) return [];
  if (setting === true) return BUILT_IN;
  const byName = new Map(BUILT_IN.map((f) => [f.name, f]));
  for (const [name, override] of Object.entries(setting)) {
    const base = byName.get(name) ?? { name, command: [], extensions: [], environment: {}, disabled: false, custom: true };
    byName.set(name, {
      name,
      command: override.command ?? base.command,
      extensions: override.extensions ?? base.extensions,
      environment: { ...base.environment, ...override.environment },
      disabled: override.disabled ?? base.disabled,
      custom: base.custom,
    });
  }
  return [...byName.values()];
}

function projectRoot(directory: string): string {
  const worktree = findWorktree(directory);
  return worktree === NO_WORKTREE ? directory : worktree;
}

export function isEnabled(formatter: Formatter, directory: string): boolean {
  if (formatter.disabled || formatter.command.length === 0) return false;
  return formatter.custom || findExecutable(formatter.command[0]!, projectRoot(directory)) !== undefined;
}

/** GET /formatter: every configured formatter with whether it can run here. */
export function formatterStatus(config: Config, directory: string) {
  return configuredFormatters(config).map((f) => ({ name: f.name, extensions: f.extensions, enabled: isEnabled(f, directory) }));
}

/** The enabled formatter for a file, by its extension. */
export function formatterFor(config: Config, directory: string, file: string): Formatter | undefined {
  const extension = path.extname(file);
  return configuredFormatters(config).find((f) => f.extensions.includes(extension) && isEnabled(f, directory));
}
