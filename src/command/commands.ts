// Commands: prompt templates run by name (session.command, the TUI's /init). Built-in ones, plus
// the `command` key of opencode.json, as OpenCode defines them.
import type { Command, Config } from "../../generated/schemas.js";
import { definitionFolders, markdownFiles } from "../agent/agents.js";
import { findWorktree } from "../git/worktree.js";

const INIT_TEMPLATE = `Write or update \`AGENTS.md\` at the root of this repository: a short guide for coding agents who will work here.

Look at the repository first (build files, scripts, tests, CI, existing docs), then record only what an agent could not guess:
- how to install, build, lint and test, including how to run a single test;
- the layout: where the main code, tests and generated files live;
- conventions that differ from the language's defaults;
- pitfalls you find (slow or flaky steps, required services, environment variables).

Keep it brief and specific to this repository. If the file exists, improve it rather than starting over.

$ARGUMENTS`;

const REVIEW_TEMPLATE = `Review code changes and report problems worth fixing.

What to review: $ARGUMENTS
- nothing given: the uncommitted changes (\`git diff\` and \`git diff --cached\`, plus untracked files);
- a commit hash: that commit (\`git show\`);
- a branch name: the branch against the default branch (\`git diff <default>...<branch>\`);
- a pull request number or URL: that pull request.

Read the surrounding code where a change needs context. Report, most important first: bugs, security issues, broken edge cases, missing tests, and confusing code. For each, give the file and line and a concrete fix. Do not report style nits or restate what the change does. If you find nothing of weight, say so.`;

const BUILT_IN: Command[] = [
  { name: "init", description: "guided AGENTS.md setup", source: "command", template: INIT_TEMPLATE, hints: [] },
  {
    name: "review",
    description: "review changes [commit|branch|pr], defaults to uncommitted",
    source: "command",
    template: REVIEW_TEMPLATE,
    subtask: true,
    hints: [],
  },
];

/** The placeholders a template takes ($ARGUMENTS, $1, $2, ...), in order of first use. */
export function templateHints(template: string): string[] {
  const found = template.match(/\$(ARGUMENTS|\d+)/g) ?? [];
  return [...new Set(found)];
}

/** Arguments split like a shell would: quoted parts stay together. */
function splitArguments(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** Fills a template: $ARGUMENTS gets all arguments, $1..$n one each (the last takes the rest). */
export function expandTemplate(template: string, args: string): string {
  const positional = splitArguments(args);
  const highest = Math.max(
    0,
    ...templateHints(template)
      .filter((h) => h !== "$ARGUMENTS")
      .map((h) => Number(h.slice(1))),
  );
  const withPositions = template.replace(/\$(\d+)/g, (_m, n: string) => {
    const index = Number(n) - 1;
    return index === highest - 1 ? positional.slice(index).join(" ") : (positional[index] ?? "");
  });
  return withPositions.replace(/\$ARGUMENTS/g, args).trim();
}

/** A command from a markdown file's front matter and body, or from a `command` config entry. */
function commandFrom(
  name: string,
  entry: { description?: string; agent?: string; model?: string; subtask?: boolean; template: string },
): Command {
  return {
    name,
    ...(entry.description ? { description: entry.description } : {}),
    ...(entry.agent ? { agent: entry.agent } : {}),
    ...(entry.model ? { model: entry.model } : {}),
    source: "command",
    template: entry.template,
    ...(entry.subtask !== undefined ? { subtask: entry.subtask } : {}),
    hints: [],
  };
}

/** Built-in commands, `.opencode/command/*.md` (global, then project) and the `command` config key, later ones winning by name. */
export async function listCommands(config: Config, directory: string): Promise<Command[]> {
  const byName = new Map(BUILT_IN.map((c) => [c.name, c]));
  for (const folder of definitionFolders("command", directory, findWorktree(directory))) {
    for (const file of await markdownFiles(folder))
      byName.set(file.name, commandFrom(file.name, { ...file.config, template: file.prompt }));
  }
  for (const [name, entry] of Object.entries(config.command ?? {})) byName.set(name, commandFrom(name, entry));
  return [...byName.values()].map((c) => ({ ...c, hints: templateHints(c.template) }));
}

export async function findCommand(config: Config, directory: string, name: string): Promise<Command | undefined> {
  return (await listCommands(config, directory)).find((c) => c.name === name);
}
