// Identifiers in upstream's style: a prefix, 12 hex digits of time (milliseconds * 4096 plus a
// counter, so ids made in the same millisecond still sort), and 14 random base62 characters.
// Session ids invert the time part so that the newest session sorts first.
import { randomInt } from "node:crypto";

export type IdPrefix = "ses" | "msg" | "prt" | "evt" | "per" | "que" | "pty" | "wrk";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const TIME_MASK = (1n << 48n) - 1n;

let lastMs = 0;
let counter = 0;

function randomBase62(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += BASE62[randomInt(62)];
  return out;
}

export function createId(prefix: IdPrefix, order: "ascending" | "descending" = "ascending"): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    counter = 0;
  }
  counter++;
  let time = (BigInt(now) * 4096n + BigInt(counter)) & TIME_MASK;
  if (order === "descending") time = ~time & TIME_MASK;
  return `${prefix}_${time.toString(16).padStart(12, "0")}${randomBase62(14)}`;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A ULID (time then randomness, Crockford base32): upstream's call id for user-run shell commands. */
export function createUlid(now = Date.now()): string {
  let time = "";
  for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32] + time;
  let random = "";
  for (let i = 0; i < 16; i++) random += CROCKFORD[randomInt(32)];
  return time + random;
}
