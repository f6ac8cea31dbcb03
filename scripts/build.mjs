// `npm run build`: the server as JavaScript in dist/, so that `npm start` and the `agentpool` bin
// run node on it with no TypeScript compiler at run time. esbuild only strips types (tsc checks
// them in `npm test`); the console is built by build-web.ts.
//
// One bundle (dist/src/main.js and the chunks beside it) with the packages it imports: loading
// about a thousand modules one by one (resolving, reading and compiling each) was most of the
// server's startup, and a bundle answers its first request about 200 ms sooner
// (`npm run bench`, startup). What the server imports on first use (the ACP and MCP SDKs, the
// AI SDK, the PostgreSQL client) stays in chunks of its own, loaded when first used. Native
// addons and the packages that load other code at run time stay in node_modules.
//
// Plain JavaScript, so that `npm start` can rebuild (about 0.5 s) before it starts the server.
// `node scripts/build.mjs --outdir <dir>` builds elsewhere (inside the package, whose files the
// server finds by its package.json): test/built-server.test.ts runs that build.
// `--if-changed` (what `npm start` runs first) builds only when a source is newer than the build,
// so that an unchanged server starts without waiting for esbuild.
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const outdirFlag = process.argv.indexOf("--outdir");
const OUT = outdirFlag > 0 ? path.resolve(process.argv[outdirFlag + 1]) : path.join(ROOT, "dist");

/** Loaded from node_modules at run time, not bundled: native addons, compilers and loaders. */
const EXTERNAL = ["better-sqlite3", "node-pty", "pg-native", "esbuild", "tsx", "typescript", "@opencode-ai/plugin"];

/** The newest modification time among the files under `dir`. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

const MAIN = path.join(OUT, "src", "main.js");
if (process.argv.includes("--if-changed") && existsSync(MAIN)) {
  const sources = Math.max(newest(path.join(ROOT, "src")), newest(path.join(ROOT, "generated")), statSync(path.join(ROOT, "package-lock.json")).mtimeMs);
  if (sources < statSync(MAIN).mtimeMs) process.exit(0);
}

const started = Date.now();
rmSync(OUT, { recursive: true, force: true });
const result = await build({
  entryPoints: [path.join(ROOT, "src", "main.ts")],
  outdir: path.join(OUT, "src"),
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Packages that ship both: their ES module build (jsonc-parser's CommonJS one is UMD, whose
  // require() of its own files a bundle cannot follow).
  mainFields: ["module", "main"],
  external: EXTERNAL,
  // CommonJS packages in an ES module bundle call require() for node's modules.
  banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  sourcemap: "linked",
  metafile: true,
  logLevel: "warning",
});
const files = Object.keys(result.metafile.outputs).filter((file) => file.endsWith(".js")).length;
console.log(`built the server into ${path.relative(ROOT, OUT) || "."}/ (${files} files) in ${Date.now() - started} ms`);
