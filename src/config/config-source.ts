// Where a directory's OpenCode configuration comes from: what services that read it depend on.
import type { Config } from "../../generated/schemas.js";

export interface ConfigSource {
  forDirectory(directory: string): Promise<Config>;
}
