// Provider credentials given with auth.set: a JSON file in the data folder, readable by the
// user alone (mode 0600), as OpenCode keeps its auth.json.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Auth } from "../../generated/schemas.js";
import type { Credentials } from "../agent/llm/models.js";

/**
 * How long a read of the file is used again. Listing the providers asks for each provider's key
 * (a few times per turn, over the whole catalogue): the file was read once per provider. A change
 * by this process is seen at once; one by another (a pool's node on the shared data folder, a
 * user's editor) within this time.
 */
const REREAD_AFTER_MS = 1000;

export class CredentialStore implements Credentials {
  private readonly file: string;
  private cached: { all: Record<string, Auth>; at: number } | undefined;

  constructor(dataDirectory: string) {
    this.file = path.join(dataDirectory, "auth.json");
  }

  private read(): Record<string, Auth> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < REREAD_AFTER_MS) return this.cached.all;
    const all = existsSync(this.file) ? (JSON.parse(readFileSync(this.file, "utf8")) as Record<string, Auth>) : {};
    this.cached = { all, at: now };
    return all;
  }

  private write(all: Record<string, Auth>): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    // Written whole, then renamed: a crash never leaves half a file.
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(all, null, 2), { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.file);
    this.cached = { all, at: Date.now() };
  }

  set(providerID: string, auth: Auth): void {
    this.write({ ...this.read(), [providerID]: auth });
  }

  remove(providerID: string): void {
    const { [providerID]: _removed, ...rest } = this.read();
    this.write(rest);
  }

  get(providerID: string): Auth | undefined {
    return this.read()[providerID];
  }

  /** The API key a provider is used with: an "api" key, or the token of an OAuth login. */
  apiKey(providerID: string): string | undefined {
    const auth = this.get(providerID);
    if (!auth) return undefined;
    if (auth.type === "api") return auth.key;
    if (auth.type === "oauth") return auth.access;
    return auth.token;
  }

  /** The label a credential is shown with (v2 API): set with `label`, else the provider's id. */
  labelOf(providerID: string): string | undefined {
    const auth = this.get(providerID) as (Auth & { label?: string }) | undefined;
    return auth ? (auth.label ?? providerID) : undefined;
  }

  /** Names a stored credential; false when there is none for the provider. */
  setLabel(providerID: string, label: string): boolean {
    const all = this.read();
    if (!all[providerID]) return false;
    this.write({ ...all, [providerID]: { ...all[providerID], label } as unknown as Auth });
    return true;
  }

  /** Where the file is (its mode is 0600). */
  get path(): string {
    return this.file;
  }
}
