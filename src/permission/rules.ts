// Permission rules as OpenCode evaluates them: {permission, pattern, action}, the last matching
// rule wins; `*` in a pattern matches anything (spaces and slashes too).
import type { PermissionAction, PermissionConfig, PermissionRule, PermissionRuleset } from "../../generated/schemas.js";

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "s",
  );
}

export function ruleMatches(rule: PermissionRule, permission: string, pattern: string): boolean {
  return wildcard(rule.permission).test(permission) && wildcard(rule.pattern).test(pattern);
}

/** The action for one pattern of a request; `undefined` when no rule speaks of it. */
export function evaluate(rules: PermissionRuleset, permission: string, pattern: string): PermissionAction | undefined {
  return rules.findLast((rule) => ruleMatches(rule, permission, pattern))?.action;
}

/** The `permission` key of opencode.json ("allow", {bash: "ask"}, {bash: {"git push": "ask"}}) as rules. */
export function rulesFromConfig(config: PermissionConfig | undefined): PermissionRuleset {
  if (!config) return [];
  if (typeof config === "string") return [{ permission: "*", pattern: "*", action: config }];
  const rules: PermissionRuleset = [];
  for (const [permission, value] of Object.entries(config)) {
    if (typeof value === "string") rules.push({ permission, pattern: "*", action: value as PermissionAction });
    else
      for (const [pattern, action] of Object.entries(value ?? {})) rules.push({ permission, pattern, action: action as PermissionAction });
  }
  return rules;
}

/**
 * What every agent may do before its own rules, as upstream's defaults: everything, except a
 * repeated identical call and files outside the project (asked; the `whitelisted` folders, such
 * as where cut tool outputs are saved, are allowed), the question and plan-mode tools (refused),
 * and .env files (asked, their examples not).
 */
export function defaultRules(whitelisted: string[]): PermissionRuleset {
  return rulesFromConfig({
    "*": "allow",
    doom_loop: "ask",
    external_directory: externalDirectories(whitelisted),
    question: "deny",
    plan_enter: "deny",
    plan_exit: "deny",
    read: { "*": "allow", "*.env": "ask", "*.env.*": "ask", "*.env.example": "allow" },
  });
}

/** external_directory as upstream configures it: asked, except in the `whitelisted` folders (globs). */
export function externalDirectories(whitelisted: string[]): Record<string, PermissionAction> {
  return { "*": "ask", ...Object.fromEntries(whitelisted.map((glob) => [glob, "allow" as const])) };
}
