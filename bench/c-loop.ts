// The plain C yardstick for the full loopback range (bench/peers/scan-c-loop.c), compiled with
// `cc -O2 -pthread` (scripts/lib/cc.ts: cached in the temp dir per source version), or the
// reason why it cannot be.
import { join } from "node:path";
import { buildCached, cCompiler } from "../scripts/lib/cc.ts";
import { ROOT } from "../scripts/lib/root.ts";

export const C_LOOP_SOURCE = join(ROOT, "bench/peers/scan-c-loop.c");

export type CLoopBuild = { exe: string } | { skipped: string };

/** Compile the C loop; `skipped` says why not (no cc, or it failed). */
export async function buildCLoop(): Promise<CLoopBuild> {
  if (!cCompiler())
    return { skipped: "no C compiler (`apt-get install -y gcc`): the C loop was not run." };
  try {
    return { exe: await buildCached(C_LOOP_SOURCE, "bench", "scan-c-loop", ["-pthread"]) };
  } catch (error) {
    const why = (error as Error).message.split("\n")[0];
    return { skipped: `the C loop did not compile: ${why}` };
  }
}
