// Compile the forwarder (forwarder.c) with the system's cc, once per source version: the binary
// is cached under $TMPDIR/tp-net-wan/<source hash>/, built under a temporary name and renamed,
// so parallel test files never see a half-written binary.
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runOk, which } from "./sh.ts";

export const FORWARDER_SOURCE = join(import.meta.dir, "forwarder.c");

/** Where the binary for the current source lives (built or not). */
export function forwarderPath(): string {
  const hash = new Bun.CryptoHasher("sha256")
    .update(readFileSync(FORWARDER_SOURCE))
    .digest("hex")
    .slice(0, 16);
  return join(tmpdir(), "tp-net-wan", hash, "wanfwd");
}

/** The forwarder binary, compiled now if this source version has not been yet. */
export async function buildForwarder(): Promise<string> {
  const path = forwarderPath();
  if (existsSync(path)) return path;
  const cc = which("cc") ?? which("gcc");
  if (!cc) throw new Error("no C compiler (cc) to build the WAN lab's forwarder");
  mkdirSync(join(path, ".."), { recursive: true });
  const partial = `${path}.${process.pid}.tmp`;
  await runOk(
    [cc, "-O2", "-Wall", "-Wextra", "-o", partial, FORWARDER_SOURCE, "-lm"],
    undefined,
    60_000,
  );
  renameSync(partial, path);
  return path;
}

if (import.meta.main) console.log(await buildForwarder());
