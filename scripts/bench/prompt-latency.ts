// prompt_async to the first streamed text: for each round a new session gets one prompt, and the
// time from sending it to that session's first message.part.delta on /event counts. The next
// round starts once the session is idle again. Both servers answer from the same loopback model
// over HTTP (FAKE_MODEL), so that the figure is each server's own path from a prompt to a token.
import http from "node:http";
import { once, percentile } from "./load.js";
import { openStream } from "./pool.js";
import { FAKE_MODEL, type Target } from "./targets.js";

export interface PromptLatencyResult {
  p50: number;
  p99: number;
  max: number;
  /** Rounds whose first delta did not come within the time limit. */
  missed: number;
}

const ROUND_LIMIT_MS = 10_000;
/** Rounds first, not counted: the first turn loads the model's SDK and compiles the turn's code. */
const WARM_UP_ROUNDS = 3;

export async function promptToFirstDelta(target: Target, options: { rounds: number }): Promise<PromptLatencyResult> {
  const base = new URL(target.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let waitingFor: { session: string; delta: () => void; idle: () => void } | undefined;
  const stream = await openStream(base, (data) => {
    if (!waitingFor || !data.includes(waitingFor.session)) return;
    if (data.includes('"message.part.delta"')) waitingFor.delta();
    else if (data.includes('"session.idle"')) waitingFor.idle();
  });
  const delays: number[] = [];
  let missed = 0;
  try {
    for (let round = -WARM_UP_ROUNDS; round < options.rounds; round++) {
      const created = await fetch(`${target.url}/session`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      const session = ((await created.json()) as { id: string }).id;
      let sentAt = 0;
      let firstDelta: number | undefined;
      const idle = new Promise<void>((resolve) => {
        waitingFor = { session, delta: () => (firstDelta ??= performance.now() - sentAt), idle: resolve };
      });
      sentAt = performance.now();
      const body = Buffer.from(JSON.stringify({ model: FAKE_MODEL, parts: [{ type: "text", text: `latency round ${round}` }] }));
      const answer = await once(agent, base, { method: "POST", path: `/session/${session}/prompt_async` }, body);
      if (answer.status >= 300) throw new Error(`${target.name}: prompt_async answered ${answer.status}`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([idle, new Promise((resolve) => (timer = setTimeout(resolve, ROUND_LIMIT_MS)))]);
      clearTimeout(timer);
      if (round < 0) continue;
      if (firstDelta === undefined) missed++;
      else delays.push(firstDelta);
    }
  } finally {
    waitingFor = undefined;
    stream.destroy();
    agent.destroy();
  }
  delays.sort((a, b) => a - b);
  return { p50: percentile(delays, 50), p99: percentile(delays, 99), max: delays.at(-1) ?? NaN, missed };
}
