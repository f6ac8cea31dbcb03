// `npm run build:web`, and npm's `prepare` on every `npm install`: builds the web console (web/)
// into web/dist with Vite. An install without devDependencies (no Vite, no SDK) skips it with a
// note; the server then tells a browser at / how to build it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const vite = fileURLToPath(new URL("../node_modules/vite/bin/vite.js", import.meta.url));
if (!existsSync(vite)) {
  console.warn("web console not built: Vite is a devDependency and is not installed (run `npm install` with dev dependencies)");
  process.exit(0);
}
const build = spawnSync(process.execPath, [vite, "build", "web", ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
process.exit(build.status ?? 1);
