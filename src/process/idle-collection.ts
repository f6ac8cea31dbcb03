// Gives memory back once a burst of work is over. V8 keeps the heap it grew to under load, and the
// burst's garbage, until its next major collection, which an idle server never gets: after the
// benchmark's load the server held about 120 MB of heap with about 50 MB of it live (RSS 175 to
// 230 MB, depending on when the last collection happened), and still did 20 s later. So when the
// event loop has been nearly idle for a few seconds and the heap has grown well past what the
// last collection left, one full collection runs: a pause of some tens of milliseconds when
// nothing waits for the loop.
import v8 from "node:v8";
import vm from "node:vm";

const CHECK_EVERY_MS = 1000;
/** Checks in a row with the loop busy less than this share of the time. */
const IDLE_CHECKS = 3;
const IDLE_UTILIZATION = 0.02;
/** How far the heap may grow past the live size the last collection left before idle time collects it. */
const SLACK_BYTES = 32 * 1024 * 1024;

/** Starts watching (the process-wide `serve` command, not each test server); returns the stop. */
export function collectWhenIdle(): () => void {
  // The collector of V8's own `gc` extension: exposed now, taken from a fresh context. A runtime
  // that does not expose it that way keeps V8's own timing.
  v8.setFlagsFromString("--expose-gc");
  const collect = vm.runInNewContext("typeof gc === 'function' ? gc : undefined") as (() => void) | undefined;
  if (!collect) return () => {};
  let live = v8.getHeapStatistics().used_heap_size;
  let last = performance.eventLoopUtilization();
  let idleChecks = 0;
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    idleChecks = performance.eventLoopUtilization(now, last).utilization < IDLE_UTILIZATION ? idleChecks + 1 : 0;
    last = now;
    if (idleChecks < IDLE_CHECKS || v8.getHeapStatistics().total_heap_size < live + SLACK_BYTES) return;
    collect();
    live = v8.getHeapStatistics().used_heap_size;
    idleChecks = 0;
    last = performance.eventLoopUtilization();
  }, CHECK_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
