// Code formatters as OpenCode configures them: `formatter: true` turns the built-in ones on,
// an object turns them on with overrides and adds custom ones ({command, extensions,
// environment, disabled}); absent or false turns formatting off. A formatter is enabled when
// it is not disabled and its program can be found.
import path from "node:path";
import type { Config } from "../../generated/schemas.js";
import { findExecutable } from "./executables.js";
import { NO_WORKTREE, findWorktree } from "./worktree.js";

export interface Formatter {
  name: string;
  /** The command; `$FILE` stands for the file to format. */
  command: string[];
  extensions: string[];
  environment: Record<string, string>;
  disabled: boolean;
}

/** Common formatters that run on a file in place; each is enabled only where its program is installed. */
const BUILT_IN: Formatter[] = [
  {
    name: "prettier",
    command: ["prettier", "--write", "$FILE"],
    extensions: [".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".json", ".css", ".scss", ".html", ".md", ".yaml", ".yml"],
  },
  { name: "gofmt", command: ["gofmt", "-w", "$FILE"], extensions: [".go"] },
  { name: "rustfmt", command: ["rustfmt", "$FILE"], extensions: [".rs"] },
  { name: "ruff", command: ["ruff", "format", "$FILE"], extensions: [".py", ".pyi"] },
  { name: "clang-format", command: ["clang-format", "-i", "$FILE"], extensions: [".c", ".cc", ".cpp", ".h", ".hpp"] },
  { name: "shfmt", command: ["shfmt", "-w", "$FILE"], extensions: [".sh", ".bash"] },
].map((f) => ({ ...f, environment: {}, disabled: false }));

type FormatterOverride = { disabled?: boolean; command?: string[]; environment?: Record<string, string>; extensions?: string[] };

/** The formatters a configuration turns on, built-in ones first. */
export function configuredFormatters(config: Config): Formatter[] {
  const setting = config.formatter as boolean | Record<string, FormatterOverride> | undefined;
  if (!setting) return [];
  if (setting === true) return BUILT_IN;
  const byName = new Map(BUILT_IN.map((f) => [f.name, f]));
  for (const [name, override] of Object.entries(setting)) {
    const base = byName.get(name) ?? { name, command: [], extensions: [], environment: {}, disabled: false };
    byName.set(name, {
      name,
      command: override.command ?? base.command,
      extensions: override.extensions ?? base.extensions,
      environment: { ...base.environment, ...override.environment },
      disabled: override.disabled ?? base.disabled,
    });
  }
  return [...byName.values()];
}

function projectRoot(directory: string): string {
  const worktree = findWorktree(directory);
  return worktree === NO_WORKTREE ? directory : worktree;
}

export function isEnabled(formatter: Formatter, directory: string): boolean {
  return !formatter.disabled && formatter.command.length > 0 && findExecutable(formatter.command[0]!, projectRoot(directory)) !== undefined;
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
