// A request's init with a JSON body, for tests that talk HTTP without the rest of the test server.

/** POST/PATCH/PUT a JSON body. */
export function jsonInit(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}
