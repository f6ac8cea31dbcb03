// The version this server reports (/global/health, session.version): the upstream opencode
// release whose API it speaks, as pinned in spec/upstream.json. Clients compare it with theirs.
import path from "node:path";
import { SPEC_DIR, readJsonFile } from "./contract/served-spec.js";

export const UPSTREAM_VERSION: string = readJsonFile<{ version: string }>(path.join(SPEC_DIR, "upstream.json")).version;
