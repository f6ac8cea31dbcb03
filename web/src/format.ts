// Display helpers shared by the views.
import type { Project } from "@opencode-ai/sdk/v2/client";
import { state } from "./store";

export function statusLabel(sessionID: string): { kind: string; text: string } {
  if ([...state.permissions.values()].some((x) => x.sessionID === sessionID)) return { kind: "waiting", text: "needs permission" };
  if ([...state.questions.values()].some((x) => x.sessionID === sessionID)) return { kind: "waiting", text: "has a question" };
  const status = state.status.get(sessionID);
  if (status?.type === "busy") return { kind: "busy", text: "busy" };
  if (status?.type === "retry") return { kind: "retry", text: `retrying (attempt ${status.attempt})` };
  if (state.sessionErrors.has(sessionID)) return { kind: "error", text: "error" };
  return { kind: "idle", text: "idle" };
}

export function formatTokens(n: number | undefined): string {
  if (!n) return "0";
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

export function formatCost(cost: number | undefined): string {
  return `$${(cost ?? 0).toFixed(cost && cost < 0.01 ? 4 : 2)}`;
}

export function projectName(project: Project): string {
  return project.name || project.worktree.split("/").filter(Boolean).pop() || project.worktree;
}

export function timeAgo(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(ms).toLocaleDateString();
}
