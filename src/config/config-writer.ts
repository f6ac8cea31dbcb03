// Writing a configuration change into an opencode.json(c) file, key by key with jsonc-parser's
// edits, so the user's comments and formatting survive; objects are merged, other values replaced.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { applyEdits, modify, parse as parseJsonc } from "jsonc-parser";

const FORMAT = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: "\n" } };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The edits that bring `change` into the text at `at` (objects recursively, so untouched keys keep their comments). */
function applyChange(text: string, at: (string | number)[], change: Record<string, unknown>, current: unknown): string {
  let out = text;
  for (const [key, value] of Object.entries(change)) {
    const existing = isObject(current) ? current[key] : undefined;
    if (isObject(value) && isObject(existing)) out = applyChange(out, [...at, key], value, existing);
    else out = applyEdits(out, modify(out, [...at, key], value, FORMAT));
  }
  return out;
}

/** Merges `change` into the file (created with a $schema line if it does not exist yet). */
export async function writeConfigChange(file: string, change: Record<string, unknown>, schemaUrl: string): Promise<void> {
  const text = existsSync(file) ? await readFile(file, "utf8") : `${JSON.stringify({ $schema: schemaUrl }, null, 2)}\n`;
  const current = parseJsonc(text, [], { allowTrailingComma: true }) as unknown;
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, applyChange(text, [], change, current));
}
