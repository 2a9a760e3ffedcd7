// Compile a small C helper with the system's cc, once per source version: the binary is cached
// under $TMPDIR/tp-net-<dir>/<source hash>/<name>, built under a temporary name and renamed, so
// parallel test files and benches never see a half-written binary.
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runOk, which } from "../wan/sh.ts";

/** Where the binary for the current version of `source` lives (built or not). */
export function cachedBinaryPath(source: string, dir: string, name: string): string {
  const hash = new Bun.CryptoHasher("sha256")
    .update(readFileSync(source))
    .digest("hex")
    .slice(0, 16);
  return join(tmpdir(), `tp-net-${dir}`, hash, name);
}

/** The C compiler, or null when there is none. */
export function cCompiler(): string | null {
  return which("cc") ?? which("gcc");
}

/** The binary of `source`, compiled now if this version has not been yet; throws without cc. */
export async function buildCached(
  source: string,
  dir: string,
  name: string,
  libs: string[] = [],
): Promise<string> {
  const path = cachedBinaryPath(source, dir, name);
  if (existsSync(path)) return path;
  const cc = cCompiler();
  if (!cc) throw new Error(`no C compiler (cc) to build ${name}`);
  mkdirSync(join(path, ".."), { recursive: true });
  const partial = `${path}.${process.pid}.tmp`;
  await runOk([cc, "-O2", "-Wall", "-Wextra", "-o", partial, source, ...libs], undefined, 60_000);
  renameSync(partial, path);
  return path;
}
