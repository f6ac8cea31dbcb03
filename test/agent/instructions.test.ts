// Which instruction files a session's system prompt includes, found as upstream OpenCode finds
// them: project AGENTS.md / CLAUDE.md / CONTEXT.md up to the worktree root, the global file (with
// its ~/.claude fallback and the flags that turn it off), and the `instructions` config key.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { instructionPaths, systemInstructions } from "../../src/agent/llm/instructions.js";
import { makeTempDir } from "../support/temp.js";

function write(file: string, text: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** A worktree with a nested working directory, and an isolated home and config folder. */
function layout() {
  const root = makeTempDir("instr");
  const worktree = path.join(root, "repo");
  const directory = path.join(worktree, "packages", "app");
  mkdirSync(directory, { recursive: true });
  const home = path.join(root, "home");
  mkdirSync(home, { recursive: true });
  const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, ".config") } as NodeJS.ProcessEnv;
  return { root, worktree, directory, home, env, global: path.join(home, ".config", "opencode") };
}

describe("project instruction files", () => {
  it("takes every AGENTS.md from the directory up to the worktree root, nearest first, and ignores CLAUDE.md then", async () => {
    const l = layout();
    const near = write(path.join(l.directory, "AGENTS.md"), "near");
    const far = write(path.join(l.worktree, "AGENTS.md"), "far");
    write(path.join(l.worktree, "CLAUDE.md"), "claude");
    write(path.join(l.root, "AGENTS.md"), "above the worktree");
    const paths = await instructionPaths({ directory: l.directory, worktree: l.worktree, config: {}, env: l.env });
    expect(paths).toEqual([near, far]);
  });

  it("falls back to CLAUDE.md, then to CONTEXT.md; CLAUDE.md is skipped when Claude Code prompts are disabled", async () => {
    const l = layout();
    const claude = write(path.join(l.worktree, "CLAUDE.md"), "claude");
    const context = write(path.join(l.directory, "CONTEXT.md"), "context");
    const options = { directory: l.directory, worktree: l.worktree, config: {} };
    expect(await instructionPaths({ ...options, env: l.env })).toEqual([claude]);
    expect(await instructionPaths({ ...options, env: { ...l.env, OPENCODE_DISABLE_CLAUDE_CODE_PROMPT: "1" } })).toEqual([context]);
  });

  it("reads an AGENTS.local.md next to the chosen file", async () => {
    const l = layout();
    const agents = write(path.join(l.worktree, "AGENTS.md"), "shared");
    const local = write(path.join(l.worktree, "AGENTS.local.md"), "mine");
    expect(await instructionPaths({ directory: l.directory, worktree: l.worktree, config: {}, env: l.env })).toEqual([agents, local]);
  });

  it("leaves project files out with OPENCODE_DISABLE_PROJECT_CONFIG", async () => {
    const l = layout();
    write(path.join(l.worktree, "AGENTS.md"), "project");
    const env = { ...l.env, OPENCODE_DISABLE_PROJECT_CONFIG: "true" };
    expect(await instructionPaths({ directory: l.directory, worktree: l.worktree, config: {}, env })).toEqual([]);
  });
});

describe("global instruction files", () => {
  it("uses the config folder's AGENTS.md (XDG_CONFIG_HOME) before ~/.claude/CLAUDE.md", async () => {
    const l = layout();
    const global = write(path.join(l.global, "AGENTS.md"), "global");
    write(path.join(l.home, ".claude", "CLAUDE.md"), "claude global");
    const paths = await instructionPaths({ directory: l.directory, worktree: l.worktree, config: {}, env: l.env });
    expect(paths).toEqual([global]);
  });

  it("falls back to ~/.claude/CLAUDE.md unless disabled, and prefers OPENCODE_CONFIG_DIR's AGENTS.md", async () => {
    const l = layout();
    const claude = write(path.join(l.home, ".claude", "CLAUDE.md"), "claude global");
    const options = { directory: l.directory, worktree: l.worktree, config: {} };
    expect(await instructionPaths({ ...options, env: l.env })).toEqual([claude]);
    expect(await instructionPaths({ ...options, env: { ...l.env, OPENCODE_DISABLE_CLAUDE_CODE: "1" } })).toEqual([]);
    const custom = write(path.join(l.root, "custom", "AGENTS.md"), "custom");
    write(path.join(l.global, "AGENTS.md"), "global");
    expect(await instructionPaths({ ...options, env: { ...l.env, OPENCODE_CONFIG_DIR: path.dirname(custom) } })).toEqual([custom]);
  });
});

describe("the instructions config key", () => {
  it("adds globs relative to the project (tried up to the worktree root), absolute and ~/ paths, after the project and global files", async () => {
    const l = layout();
    const agents = write(path.join(l.worktree, "AGENTS.md"), "project");
    const global = write(path.join(l.global, "AGENTS.md"), "global");
    const a = write(path.join(l.worktree, "docs", "a.md"), "a");
    const b = write(path.join(l.worktree, "docs", "b.md"), "b");
    write(path.join(l.worktree, "docs", "c.txt"), "not markdown");
    const deep = write(path.join(l.directory, "rules", "x", "deep.md"), "deep");
    const absolute = write(path.join(l.root, "shared", "team.md"), "team");
    const fromHome = write(path.join(l.home, "mine.md"), "mine");
    const instructions = [
      "docs/*.md",
      "rules/**/*.md",
      path.join(l.root, "shared", "*.md"),
      "~/mine.md",
      "https://example.com/x.md",
      "missing.md",
    ];
    const paths = await instructionPaths({ directory: l.directory, worktree: l.worktree, config: { instructions }, env: l.env });
    expect(paths).toEqual([agents, global, a, b, deep, absolute, fromHome]);
  });

  it("prefixes each file with its path, leaves empty files out and logs skipped URLs", async () => {
    const l = layout();
    const agents = write(path.join(l.worktree, "AGENTS.md"), "Use tabs.\n");
    write(path.join(l.worktree, "empty.md"), "");
    const logged: object[] = [];
    const sections = await systemInstructions({
      directory: l.directory,
      worktree: l.worktree,
      config: { instructions: ["empty.md", "http://example.com/rules.md"] },
      env: l.env,
      log: { info: (data) => logged.push(data) },
    });
    expect(sections).toEqual([`Instructions from: ${agents}\nUse tabs.\n`]);
    expect(logged).toEqual([{ urls: ["http://example.com/rules.md"] }]);
  });
});
