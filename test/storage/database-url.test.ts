// Which database the server uses: --database, else AGENTPOOL_DATABASE_URL, else SQLite in the data folder.
import { describe, expect, it } from "vitest";
import { parseServeArgs } from "../../src/cli.js";
import { describeDatabase, redact } from "../../src/storage/database.js";

describe("choosing the database", () => {
  const cwd = process.cwd();
  it("takes --database over AGENTPOOL_DATABASE_URL, and neither means SQLite", () => {
    const env = { AGENTPOOL_DATABASE_URL: "postgres://env@db/pool" };
    expect(parseServeArgs(["serve", "--database", "postgres://flag@db/pool"], env, cwd)).toMatchObject({
      database: "postgres://flag@db/pool",
    });
    expect(parseServeArgs(["serve"], env, cwd)).toMatchObject({ database: "postgres://env@db/pool" });
    expect((parseServeArgs(["serve"], {}, cwd) as { database?: string }).database).toBeUndefined();
  });

  it("reads postgres:// and postgresql:// as PostgreSQL, a path or sqlite: as SQLite, refuses other schemes", () => {
    expect(describeDatabase({ url: "postgresql://u:p@h:5433/d" })).toEqual({ dialect: "postgres", url: "postgresql://u:p@h:5433/d" });
    expect(describeDatabase({ url: "sqlite:/var/pool.db" })).toEqual({ dialect: "sqlite", file: "/var/pool.db" });
    expect(describeDatabase({ url: "/var/pool.db" })).toEqual({ dialect: "sqlite", file: "/var/pool.db" });
    expect(describeDatabase({ dataDirectory: "/data" })).toEqual({ dialect: "sqlite", file: "/data/agentpool.db" });
    expect(() => describeDatabase({ url: "mysql://u:secret@h/d" })).toThrow(/unsupported database URL mysql:\/\/u:\*\*\*@h\/d/);
    expect(redact("postgres://u@h/d")).toBe("postgres://u@h/d");
  });
});
