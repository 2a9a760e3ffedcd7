// Ctrl-C on a scan of many hosts stops every probe loop at once (issue 18): on loopback every
// probe settles inside connect(), so a loop that only looked at the stop flag between waits
// took the whole 16-host x 65535-port scan (17-19 s) before it printed the partial report.
// Judged by how much was probed, not by time: SIGINT once the scan has used 0.3 s of CPU.
import { expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { spawnExe } from "../helpers/exe.ts";

setDefaultTimeout(60_000);

/** CPU time of process `pid` so far, in clock ticks (utime + stime of /proc/PID/stat). */
function cpuTicks(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

const WORK = 16 * 65535;

test.skipIf(process.platform !== "linux")(
  "Ctrl-C on 127.0.0.0/28 -p-: the report comes with most of the work never probed",
  async () => {
    const scan = spawnExe("tp-scan", ["127.0.0.0/28", "-p-", "--json"]);
    const deadline = Date.now() + 30_000;
    while (cpuTicks(scan.proc.pid) < 30 && Date.now() < deadline) await Bun.sleep(5);
    scan.proc.kill("SIGINT");
    const timer = setTimeout(() => scan.proc.kill("SIGKILL"), 30_000);
    const code = await scan.proc.exited;
    clearTimeout(timer);
    await scan.stdout.done;
    expect(code).toBe(130);
    const doc = JSON.parse(scan.stdout.text);
    expect(doc.interrupted).toBe(true);
    expect(doc.targets).toHaveLength(16);
    // Before the fix the loops ran on to the end: probes were the whole work space.
    expect(doc.stats.probes).toBeGreaterThan(0);
    expect(doc.stats.probes).toBeLessThan(WORK / 2);
  },
);
