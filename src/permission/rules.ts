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

/** What agents may do when nothing else is configured: upstream's defaults. */
export const DEFAULT_RULES: PermissionRuleset = [
  { permission: "*", pattern: "*", action: "allow" },
  { permission: "external_directory", pattern: "*", action: "ask" },
  { permission: "doom_loop", pattern: "*", action: "ask" },
  // Secrets: reading an .env file takes a yes, its example does not.
  { permission: "read", pattern: "*.env", action: "ask" },
  { permission: "read", pattern: "*.env.*", action: "ask" },
  { permission: "read", pattern: "*.env.example", action: "allow" },
];

/** The plan agent looks but does not touch: edits are refused, commands need a yes. */
export const PLAN_RULES: PermissionRuleset = [
  { permission: "edit", pattern: "*", action: "deny" },
  { permission: "bash", pattern: "*", action: "ask" },
];
