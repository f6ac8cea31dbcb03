// Runs share the event loop with every request: a run records its agent's events in pieces of a
// fraction of a millisecond each (store the part, publish it), but many runs streaming at once
// hand the loop hundreds of pieces in one phase (all their model chunks arrive together), and a
// request that came meanwhile waited for all of them: with 200 runs, GET /global/health took
// 40 ms at the median and 100 ms at the 99th percentile. Here a slice of run work ends after
// SLICE_MS or SLICE_PIECES pieces, whichever comes first; the next pieces wait for the loop to
// have taken its I/O (requests) first, in the order they came. A run does the same work, a little
// later. (The count matters as much as the time: a piece's work runs after the hops of its
// promises, so many pieces are let in before the first one's time shows.)

/** How long pieces of run work go on in a row before the loop takes its I/O. */
const SLICE_MS = 4;
/** How many pieces start in one slice at most. */
const SLICE_PIECES = 6;

/** When the current slice of run work began; undefined until run work comes in this loop iteration. */
let sliceStarted: number | undefined;
/** Pieces started in the current slice. */
let started = 0;
/** Resolves in the loop's next check phase, after it has polled I/O; the slice ends there. */
let nextCheck: Promise<void> | undefined;

function afterIo(): Promise<void> {
  nextCheck ??= new Promise((resolve) =>
    setImmediate(() => {
      nextCheck = undefined;
      sliceStarted = undefined;
      started = 0;
      resolve();
    }),
  );
  return nextCheck;
}

/**
 * Before each piece of run work: at once, unless run work has gone on for a slice since the loop
 * last polled I/O; then once it has.
 */
export async function ioTurn(): Promise<void> {
  for (;;) {
    if (sliceStarted === undefined) {
      sliceStarted = performance.now();
      started = 1;
      void afterIo();
      return;
    }
    if (started < SLICE_PIECES && performance.now() - sliceStarted < SLICE_MS) {
      started++;
      return;
    }
    // Woken with every other waiter: the slice is checked again before the piece runs.
    await afterIo();
  }
}
