// Query flags arrive as booleans (after coercion) or as the strings "true"/"false", as upstream's
// clients send them; absent stays absent.
export function queryFlag(value: boolean | "true" | "false" | undefined): boolean | undefined {
  return value === undefined ? undefined : value === true || value === "true";
}
