// Where the server's own files are (spec/, web/dist, the demo script), whether it runs from its
// TypeScript sources (src/) or from the JavaScript build (dist/src/): the folder of its package.json.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "agentpool-server") return dir;
    if (path.dirname(dir) === dir) throw new Error(`agentpool-server's package.json not found above ${from}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));
