// The bench's plain C yardstick (bench/peers/scan-c-loop.c) built as the bench builds it and run
// over the whole loopback range: it must find listeners of this test's own and not a port just
// freed, or the ratio against it would mean nothing. Skipped where there is no C compiler.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { buildCLoop } from "../../bench/c-loop.ts";
import { parseCommaList } from "../../bench/scan.ts";
import { freePort } from "../../scripts/lib/net.ts";
import { runCommand } from "../../scripts/lib/run.ts";

// A compile and a full-range scan on a shared 2-core machine.
setDefaultTimeout(60_000);

const build = await buildCLoop();
if ("skipped" in build) console.warn(`C loop test skipped: ${build.skipped}`);
const suite = "skipped" in build ? describe.skip : describe;

suite("plain C loop (bench peer)", () => {
  test("finds this test's listeners over 1-65535, and not a port just freed", async () => {
    const listeners = Array.from({ length: 3 }, () =>
      Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } }),
    );
    const freed = await freePort();
    try {
      const r = await runCommand(["exe" in build ? build.exe : "false"], { timeoutMs: 30_000 });
      expect(r.code).toBe(0);
      const open = parseCommaList(r.stdout);
      for (const l of listeners) expect(open).toContain(l.port);
      expect(open).not.toContain(freed);
    } finally {
      for (const l of listeners) l.stop(true);
    }
  });
});
