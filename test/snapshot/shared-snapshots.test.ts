// Snapshots in a data folder that several nodes of a pool share: each node keeps its own git index
// in the shared snapshot directory, so their snapshots of one project, taken at the same moment,
// all succeed and agree; what one node snapshotted, another can diff and restore.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Snapshots } from "../../src/snapshot/snapshots.js";
import { makeRepo } from "../support/git.js";
import { makeTempDir } from "../support/temp.js";

describe("snapshots shared by the nodes of a pool", () => {
  it("take one project's snapshots from two nodes at once, and restore one node's snapshot through the other", async () => {
    const repo = makeRepo("shared-snapshots");
    for (let i = 0; i < 50; i++) writeFileSync(path.join(repo.dir, `file${i}.txt`), `content ${i}\n`);
    const shared = makeTempDir("shared-snapshot-root");
    const a = new Snapshots(shared, { indexName: "index.node_a" });
    const b = new Snapshots(shared, { indexName: "index.node_b" });
    const trees = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).track("prj", repo.dir)));
    expect(new Set(trees).size).toBe(1);

    const before = trees[0]!;
    writeFileSync(path.join(repo.dir, "file3.txt"), "changed on node a\n");
    const after = await a.track("prj", repo.dir);
    expect(await b.changedFiles("prj", repo.dir, before, after)).toEqual(["file3.txt"]);
    await b.restore("prj", repo.dir, before, ["file3.txt"]);
    expect(readFileSync(path.join(repo.dir, "file3.txt"), "utf8")).toBe("content 3\n");

    await a.close();
    await b.close();
    expect(await new Snapshots(shared).track("prj", repo.dir)).toBe(before);
  });
});
