// Entry point of the `agentpool` command (bin/agentpool.js and `npm start` run this file).
import v8 from "node:v8";

// V8 doubles the young generation (two semi-spaces, 1 MB each at first) whenever many objects
// survive a scavenge. All of them do while the modules load, so a fresh server kept 32 MB of
// mostly empty young generation (about a quarter of its RSS) from start. Growth is off while the
// server starts and on again (V8's default factor, 2) once it listens: the young generation
// grows when requests need it, as before (kept off for good, the benchmark's pool of 200 prompted
// sessions ran 12.5 turns/s in one run against 22.2 before, so it is not). Idle RSS measured by
// the benchmark: 146 MB before, 105-111 MB with this. V8 reads the flag each time it would grow
// the young generation; one that did not would grow it as before. cli.js is imported after it.
v8.setFlagsFromString("--semi-space-growth-factor=1");

const { main } = await import("./cli.js");
await main(process.argv.slice(2));
v8.setFlagsFromString("--semi-space-growth-factor=2");
