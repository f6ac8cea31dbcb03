// Short human names for sessions ("jolly-comet"), as upstream gives them.
import { randomInt } from "node:crypto";

const ADJECTIVES = [
  "amber",
  "brave",
  "bright",
  "calm",
  "clever",
  "cosmic",
  "crisp",
  "eager",
  "fancy",
  "gentle",
  "glad",
  "golden",
  "happy",
  "jolly",
  "keen",
  "kind",
  "lively",
  "lucky",
  "mellow",
  "merry",
  "mighty",
  "misty",
  "nimble",
  "noble",
  "polite",
  "proud",
  "quick",
  "quiet",
  "rapid",
  "shiny",
  "silent",
  "silver",
  "smooth",
  "snowy",
  "sunny",
  "swift",
  "tidy",
  "vivid",
  "warm",
  "wise",
  "witty",
  "zesty",
];
const NOUNS = [
  "anchor",
  "apple",
  "harbor",
  "breeze",
  "canyon",
  "cedar",
  "cloud",
  "comet",
  "coral",
  "creek",
  "dawn",
  "delta",
  "ember",
  "falcon",
  "fern",
  "forest",
  "garden",
  "glacier",
  "grove",
  "island",
  "lagoon",
  "lantern",
  "maple",
  "meadow",
  "meteor",
  "moon",
  "mountain",
  "nebula",
  "orchid",
  "otter",
  "panda",
  "pebble",
  "planet",
  "prairie",
  "river",
  "rocket",
  "sparrow",
  "star",
  "summit",
  "tiger",
  "valley",
  "willow",
];

export function createSlug(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}`;
}

/** Text as a slug: lower case, runs of anything but letters and digits as one dash. */
export function slugify(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
