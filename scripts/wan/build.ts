// Compile the forwarder (forwarder.c) with the system's cc, once per source version (cached,
// see scripts/lib/cc.ts), so parallel test files never see a half-written binary.
import { join } from "node:path";
import { buildCached, cachedBinaryPath } from "../lib/cc.ts";

export const FORWARDER_SOURCE = join(import.meta.dir, "forwarder.c");

/** Where the binary for the current source lives (built or not). */
export function forwarderPath(): string {
  return cachedBinaryPath(FORWARDER_SOURCE, "wan", "wanfwd");
}

/** The forwarder binary, compiled now if this source version has not been yet. */
export function buildForwarder(): Promise<string> {
  return buildCached(FORWARDER_SOURCE, "wan", "wanfwd", ["-lm"]);
}

if (import.meta.main) console.log(await buildForwarder());
