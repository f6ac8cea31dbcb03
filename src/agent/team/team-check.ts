// Checks each team against the whole pool once every agent is known: a member that names no
// agent or team, or a team that contains itself (directly or through other teams), makes the
// team unable to run. The problem is logged (naming the manifest) and kept on the team, so that
// prompting it fails with the same clear message.
import type { AgentDefinition } from "../agent-definition.js";
import { reportManifestProblem } from "../manifest/manifest-log.js";

export function checkTeams(agents: AgentDefinition[]): AgentDefinition[] {
  const byName = new Map(agents.map((agent) => [agent.name, agent]));
  /** The path from `name` back to `target` through team memberships, if there is one. */
  const loop = (name: string, target: string, seen: Set<string>): string[] | undefined => {
    for (const member of byName.get(name)?.team?.members ?? []) {
      if (member === target) return [member];
      if (seen.has(member)) continue;
      seen.add(member);
      const rest = loop(member, target, seen);
      if (rest) return [member, ...rest];
    }
    return undefined;
  };
  return agents.map((agent) => {
    if (!agent.team) return agent;
    const unknown = agent.team.members.filter((member) => !byName.has(member));
    const cycle = unknown.length ? undefined : loop(agent.name, agent.name, new Set());
    const problem = unknown.length
      ? `Team ${agent.name}: unknown member${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} (not an agent or team of this project)`
      : agent.team.members.length === 0
        ? `Team ${agent.name} has no members`
        : cycle
          ? `Team ${agent.name} contains itself: ${[agent.name, ...cycle].join(" -> ")}`
          : undefined;
    if (!problem) return agent;
    if (agent.source) reportManifestProblem("error", agent.source, `Invalid AgentPool manifest ${agent.source}: ${problem}`);
    return { ...agent, team: { ...agent.team, problem } };
  });
}
