// Preloaded by `bun test` (bunfig.toml): the tests run the compiled executables the way a user
import { setDefaultTimeout } from "bun:test";
// does, so make sure they exist and are newer than the sources. A fresh clone then needs only
// `bun install` before `bun test`.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { build, entryPoints } from "../scripts/build.ts";

const root = join(import.meta.dir, "..");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const sourceTime = Math.max(
  newestSource(join(root, "src")),
  statSync(join(root, "bun.lock")).mtimeMs,
);
const stale = entryPoints().filter((name) => {
  const exe = join(root, name);
  return !existsSync(exe) || statSync(exe).mtimeMs < sourceTime;
});
if (stale.length > 0) await build(stale);

// Network tests spawn executables and wait on real sockets: 5 s (bun's default) is tight on
// a loaded 2-core machine. Each wait inside a test has its own, shorter bound.
setDefaultTimeout(60_000);
