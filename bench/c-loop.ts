// The plain C yardstick for the full loopback range (bench/peers/scan-c-loop.c): compiled with
// `cc -O2 -pthread` into a temp dir for this bench run, or a reason why it cannot be.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../scripts/lib/root.ts";
import { runCommand } from "../scripts/lib/run.ts";

export const C_LOOP_SOURCE = join(ROOT, "bench/peers/scan-c-loop.c");

export type CLoopBuild = { exe: string; remove(): void } | { skipped: string };

/** Compile the C loop; `skipped` says why not (no cc, or it failed). */
export async function buildCLoop(): Promise<CLoopBuild> {
  const cc = Bun.which("cc") ?? Bun.which("gcc");
  if (!cc) return { skipped: "no C compiler (`apt-get install -y gcc`): the C loop was not run." };
  const dir = mkdtempSync(join(tmpdir(), `tp-bench-c-loop-${process.pid}-`));
  const exe = join(dir, "scan-c-loop");
  const res = await runCommand([cc, "-O2", "-pthread", "-o", exe, C_LOOP_SOURCE], {
    timeoutMs: 60_000,
  });
  const remove = () => rmSync(dir, { recursive: true, force: true });
  if (res.code === 0) return { exe, remove };
  remove();
  const why = res.stderr.trim().split("\n")[0] ?? `exit ${res.code}`;
  return { skipped: `the C loop did not compile: ${why}` };
}
