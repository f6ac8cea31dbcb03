// The web console's build: `vite build web` writes web/dist (git-ignored), which the server serves
// at / (src/server/console.ts). Preact's JSX is compiled by esbuild, which Vite already uses, so no
// Babel plugin is needed.
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 400 },
  // `npm run dev:web` (vite dev server) proxies the API to a server started with `npm start`.
  server: {
    proxy: Object.fromEntries(
      ["/global", "/project", "/session", "/permission", "/question", "/agent", "/config", "/event", "/path", "/doc"].map((p) => [
        p,
        { target: process.env.AGENTPOOL_URL ?? "http://127.0.0.1:4096" },
      ]),
    ),
  },
});
