// The data every benchmarked server starts with, created through its own HTTP API.
import type { Target } from "./targets.js";

async function post(target: Target, route: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${target.url}${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${target.name} POST ${route}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** 50 sessions, one of them with 200 messages (100 answered prompts). */
export async function seed(target: Target): Promise<{ busy: string; messages: number }> {
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) ids.push(((await post(target, "/session", { title: `bench session ${i}` })) as { id: string }).id);
  const busy = ids[0]!;
  for (let i = 0; i < 100; i++) await post(target, `/session/${busy}/message`, { parts: [{ type: "text", text: `message ${i}` }] });
  const messages = ((await (await fetch(`${target.url}/session/${busy}/message`)).json()) as unknown[]).length;
  return { busy, messages };
}
