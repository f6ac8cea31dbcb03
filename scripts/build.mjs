// `npm run build`: the server as JavaScript in dist/ (src/ and generated/, one file per module,
// the same layout), so that `npm start` runs node on it with no TypeScript compiler at run time.
// esbuild only strips types (tsc checks them in `npm test`); the console is built by build-web.ts.
// Plain JavaScript, so that `npm start` can rebuild (about 0.2 s) before it starts the server.
import { readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const OUT = path.join(ROOT, "dist");

/** @param {string} dir @returns {string[]} */
function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [full] : [];
  });
}

const started = Date.now();
rmSync(OUT, { recursive: true, force: true });
const entryPoints = [...sources(path.join(ROOT, "src")), ...sources(path.join(ROOT, "generated"))];
await build({
  entryPoints,
  outdir: OUT,
  outbase: ROOT,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
});
console.log(`built ${entryPoints.length} modules into dist/ in ${Date.now() - started} ms`);
