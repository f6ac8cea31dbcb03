// Which methods a generated JS SDK client exposes, and a wrapper that notes each method called.
// Free of vitest, so scripts/coverage.ts can list the methods too.

type AnyObject = Record<string, unknown>;

/** A generated namespace object: v1 keeps its HTTP client in `_client`, v2 in `client`. */
function isNamespace(value: unknown): value is AnyObject {
  return typeof value === "object" && value !== null && ("_client" in value || "client" in value);
}

/** Methods and sub-namespaces of a namespace: prototype methods, prototype getters (v2) and own fields (v1). */
function members(target: AnyObject): { methods: string[]; namespaces: [string, AnyObject][] } {
  const methods = new Set<string>();
  const namespaces = new Map<string, AnyObject>();
  for (const [key, value] of Object.entries(target))
    if (isNamespace(value) && key !== "client" && key !== "_client") namespaces.set(key, value);
  for (let proto = Object.getPrototypeOf(target); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name)!;
      if (name === "constructor") continue;
      if (typeof descriptor.value === "function") methods.add(name);
      else if (descriptor.get) {
        const value = target[name];
        if (isNamespace(value)) namespaces.set(name, value);
      }
    }
  }
  return { methods: [...methods], namespaces: [...namespaces] };
}

/** Every method path of a client: "session.prompt", "provider.oauth.authorize", ... */
export function listSdkMethods(client: object, prefix = ""): string[] {
  const { methods, namespaces } = members(client as AnyObject);
  const out = methods.map((name) => prefix + name);
  for (const [key, value] of namespaces) out.push(...listSdkMethods(value, `${prefix}${key}.`));
  return out.sort();
}

/** The client, with every method call noted in `called` under its path. */
export function recordCalls<T extends object>(client: T, called: Set<string>, prefix = ""): T {
  return new Proxy(client, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof key !== "string" || key === "_client" || key === "client") return value;
      if (isNamespace(value)) return recordCalls(value, called, `${prefix}${key}.`);
      if (typeof value === "function") {
        return (...args: unknown[]) => {
          called.add(prefix + key);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value;
    },
  });
}
