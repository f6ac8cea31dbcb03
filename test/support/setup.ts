// Runs in every test file.
import { afterAll } from "vitest";
import { flushSdkCalls } from "./sdk.js";
import { removeTempDirs } from "./temp.js";

afterAll(() => {
  flushSdkCalls();
  removeTempDirs();
});
