// A watch of a whole folder tree. On Linux, node's recursive fs.watch walks the tree synchronously
// when it starts, stats every file and holds one inotify watch per file, node_modules included:
// the first request about this repository (6,500 folders with its node_modules) waited about
// 0.8 s for it, and a large project runs into the system's limit of watches. Here, on Linux, one
// watch per folder (a folder's watch reports its files), the folders found by a walk that awaits
// each read and leaves out the folders whose changes are never reported (node_modules, .git);
// a folder that appears later is watched as it appears. Elsewhere node's recursive watch is the
// platform's own and is used as it is.
import { watch, type FSWatcher } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

/** A change: "rename" (added or removed) or "change", and the path relative to the root. */
export type TreeChange = (kind: string, relativePath: string) => void;

export interface TreeWatch {
  close(): void;
}

/** Folders watched at most, per tree; beyond it a warning, and changes in the rest go unseen. */
const MAX_FOLDERS = 20_000;

export function watchTree(
  root: string,
  skip: (folderName: string) => boolean,
  onChange: TreeChange,
  onError: (error: unknown) => void,
): TreeWatch {
  if (process.platform !== "linux") {
    const watcher = watch(root, { recursive: true }, (kind, name) => {
      if (name) onChange(kind, name.toString());
    });
    watcher.on("error", onError);
    return watcher;
  }
  return new FolderWatches(root, skip, onChange, onError);
}

class FolderWatches implements TreeWatch {
  private readonly folders = new Map<string, FSWatcher>();
  private closed = false;
  private full = false;

  constructor(
    private readonly root: string,
    private readonly skip: (folderName: string) => boolean,
    private readonly onChange: TreeChange,
    private readonly onError: (error: unknown) => void,
  ) {
    // The root's own watch now (a missing root throws to the caller, as fs.watch does); the rest in the background.
    this.watchFolder(root, true);
    void this.walk(root);
  }

  /** Watches one folder; false when it cannot be (gone, or the limit reached). */
  private watchFolder(folder: string, rethrow = false): boolean {
    if (this.closed || this.folders.has(folder)) return false;
    if (this.folders.size >= MAX_FOLDERS) {
      if (!this.full) this.onError(new Error(`more than ${MAX_FOLDERS} folders under ${this.root}: changes in the others are not watched`));
      this.full = true;
      return false;
    }
    let watcher: FSWatcher;
    try {
      watcher = watch(folder, (kind, name) => {
        if (name) this.changed(folder, kind, name.toString());
      });
    } catch (error) {
      if (rethrow) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR" && code !== "EACCES") this.onError(error);
      return false;
    }
    // A removed folder's watch ends with an error on some systems: it is forgotten.
    watcher.on("error", () => this.forget(folder));
    this.folders.set(folder, watcher);
    return true;
  }

  /** Watches the folders under `folder`, one read at a time. */
  private async walk(folder: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return; // gone meanwhile, or not readable
    }
    for (const entry of entries) {
      if (this.closed) return;
      if (!entry.isDirectory() || this.skip(entry.name)) continue;
      const child = path.join(folder, entry.name);
      if (this.watchFolder(child)) await this.walk(child);
    }
  }

  private changed(folder: string, kind: string, name: string): void {
    const full = path.join(folder, name);
    this.onChange(kind, path.relative(this.root, full));
    if (kind !== "rename" || this.skip(name)) return;
    // Added: a new folder is watched with what it holds. Removed: its watches go.
    stat(full).then(
      (stats) => {
        if (stats.isDirectory() && this.watchFolder(full)) return this.walk(full);
      },
      () => this.forget(full),
    );
  }

  /** Stops watching a folder and every folder under it. */
  private forget(folder: string): void {
    const prefix = `${folder}${path.sep}`;
    for (const [watched, watcher] of this.folders)
      if (watched === folder || watched.startsWith(prefix)) {
        watcher.close();
        this.folders.delete(watched);
      }
  }

  close(): void {
    this.closed = true;
    for (const watcher of this.folders.values()) watcher.close();
    this.folders.clear();
  }
}
