// The project directory a request is about: ?directory= wins over the x-opencode-directory
// header (raw or URI-encoded); the v2 routes also send ?location[directory]=. Relative values are
// resolved against the directory the server serves.
import path from "node:path";

function decodeHeader(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function requestDirectory(query: Record<string, unknown>, header: string | string[] | undefined, defaultDirectory: string): string {
  const location = query.location;
  const fromLocation =
    location && typeof location === "object" && typeof (location as Record<string, unknown>).directory === "string"
      ? ((location as Record<string, unknown>).directory as string)
      : undefined;
  const fromQuery = typeof query.directory === "string" ? query.directory : fromLocation;
  const fromHeader = typeof header === "string" ? decodeHeader(header) : undefined;
  const chosen = fromQuery || fromHeader;
  return chosen ? path.resolve(defaultDirectory, chosen) : defaultDirectory;
}
