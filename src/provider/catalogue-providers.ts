// spec/catalogue/providers.jsonl, one provider a line (6.4 MB, 8,000 models), read provider by
// provider. Parsed whole it held about 10 MB of heap and cost about 80 ms and 17 MB of RSS on the
// first model lookup (the CLI's banner, then every prompt), while a server connects one or two of
// its providers: the others are only listed by GET /provider and the v2 catalogue. So the file is
// indexed once (each line's id and env keys, and where it lies), and a provider's line is read
// and parsed when that provider is first asked for, then kept.
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import type { Provider } from "../../generated/schemas.js";

/** What choosing the connected providers needs of every provider, without its models. */
export interface CatalogueIndexEntry {
  id: string;
  /** The environment variables that connect it. */
  env: string[];
}

interface Located extends CatalogueIndexEntry {
  start: number;
  end: number;
}

const MODELS_KEY = Buffer.from(',"models":');

/**
 * A line's id and env from the part before its models, when that part is an object by itself
 * (`models` is a top-level key there); else from the whole line. Either way the values are
 * those of the parsed line.
 */
function indexEntry(file: Buffer, start: number, end: number): CatalogueIndexEntry {
  const cut = file.indexOf(MODELS_KEY, start);
  if (cut !== -1 && cut < end) {
    try {
      const head = JSON.parse(`${file.toString("utf8", start, cut)}}`) as Partial<Provider>;
      if (typeof head.id === "string" && Array.isArray(head.env)) return { id: head.id, env: head.env };
    } catch {
      // `,"models":` inside a nested value or a string: the whole line below.
    }
  }
  const { id, env } = JSON.parse(file.toString("utf8", start, end)) as Provider;
  return { id, env };
}

export class CatalogueProviders {
  private readonly located: Located[] = [];
  private readonly byID = new Map<string, Located>();
  private readonly parsed = new Map<string, Provider>();

  constructor(private readonly file: string) {
    const text = readFileSync(file);
    for (let start = 0; start < text.length; ) {
      let end = text.indexOf(10, start);
      if (end === -1) end = text.length;
      if (end > start) {
        const entry = { ...indexEntry(text, start, end), start, end };
        this.located.push(entry);
        this.byID.set(entry.id, entry);
      }
      start = end + 1;
    }
  }

  /** Every provider's id and env keys, in upstream's order. */
  get index(): readonly CatalogueIndexEntry[] {
    return this.located;
  }

  has(id: string): boolean {
    return this.byID.has(id);
  }

  /** The provider as listed before connecting. Shared: never mutate (frozen at the top, as before). */
  get(id: string): Provider | undefined {
    const cached = this.parsed.get(id);
    if (cached) return cached;
    const where = this.byID.get(id);
    if (!where) return undefined;
    const buffer = Buffer.alloc(where.end - where.start);
    const fd = openSync(this.file, "r");
    try {
      readSync(fd, buffer, 0, buffer.length, where.start);
    } finally {
      closeSync(fd);
    }
    const provider = Object.freeze(JSON.parse(buffer.toString("utf8")) as Provider);
    this.parsed.set(id, provider);
    return provider;
  }
}
