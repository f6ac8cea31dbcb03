#!/usr/bin/env node
// The installed `agentpool` command: the JavaScript build (dist/, made at install), or the
// TypeScript sources through tsx's loader when there is no build (a checkout before `npm install`).
import { existsSync } from "node:fs";

const built = new URL("../dist/src/main.js", import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/main.ts");
}
