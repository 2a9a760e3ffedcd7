// The WAN lab as a user drives it: the CLI (check, up -- CMD, exit status), a lab of 254 hosts,
// and what a killed owner leaves behind (the forwarder dies with it, gc removes the rest).
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { runCommand } from "../../scripts/lib/run.ts";
import { pidAlive, WanLab } from "../../scripts/lib/wan.ts";
import { PROBE, probe, wanUnavailable } from "./helpers.ts";

const CLI = join(import.meta.dir, "..", "..", "scripts", "wan", "cli.ts");
const LIBRARY = join(import.meta.dir, "..", "..", "scripts", "lib", "wan.ts");

async function cli(args: string[]) {
  const { stdout, stderr, code } = await runCommand([process.execPath, CLI, ...args]);
  return { stdout, stderr, code };
}

function namespaces(): string[] {
  return Bun.spawnSync(["ip", "netns", "list"]).stdout.toString().split("\n");
}

describe.skipIf(wanUnavailable !== null)("WAN lab CLI", () => {
  test("check says the lab can be built", async () => {
    expect(await cli(["check"])).toMatchObject({
      code: 0,
      stdout: "the WAN lab can be built here\n",
    });
  });

  test("up -- CMD runs CMD in the scanner namespace, reports counters, passes its status", async () => {
    const run = await cli([
      "up",
      "--delay",
      "5",
      "--listen",
      "22",
      "--unreachable",
      "1",
      "--",
      process.execPath,
      PROBE,
      "--timeout",
      "500",
      "198.19.1.1:22",
      "198.19.1.2:22",
    ]);
    expect(run.code).toBe(0);
    const results = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).result);
    expect(results).toEqual(["open", "EHOSTUNREACH"]);
    const counters = JSON.parse(run.stderr.replace(/^wan: /, ""));
    expect(counters.synToTarget).toBe(2);
    expect(counters.toTarget.out).toBeGreaterThanOrEqual(2);
    expect((await cli(["up", "--", "sh", "-c", "exit 3"])).code).toBe(3);
    expect(await cli(["up", "--bogus"])).toMatchObject({
      code: 1,
      stderr: "wan: unknown option --bogus\n",
    });
  });

  test("unknown commands print the usage and exit 2", async () => {
    const run = await cli(["frobnicate"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("usage: bun scripts/wan/cli.ts COMMAND");
  });
});

describe.skipIf(wanUnavailable !== null)("WAN lab scale and cleanup", () => {
  test("254 hosts with listeners and 20 absent addresses", async () => {
    const lab = await WanLab.up({
      hosts: Array(254).fill({ listen: [22, 80] }),
      absent: 20,
      interleave: true,
    });
    try {
      expect(lab.hosts).toHaveLength(254);
      const last = lab.hosts.at(-1)?.address;
      const results = await probe(
        lab,
        [`${last}:80`, `${lab.hosts[0]?.address}:22`, `${lab.absentAddresses[19]}:22`],
        300,
      );
      expect(results.map((r) => r.result)).toEqual(["open", "open", "timeout"]);
    } finally {
      await lab.down();
    }
  });

  test("down removes both namespaces; a killed owner's forwarder dies, gc removes the rest", async () => {
    const lab = await WanLab.up({});
    const names = [lab.scannerNs, lab.targetNs];
    await lab.down();
    for (const name of names) expect(namespaces()).not.toContain(name);

    const owner = Bun.spawn(
      [
        process.execPath,
        "-e",
        `import { WanLab } from ${JSON.stringify(LIBRARY)};
        const lab = await WanLab.up({ hosts: [{ listen: [22] }] });
        console.log(JSON.stringify({ pid: lab.forwarderPid, ns: [lab.scannerNs, lab.targetNs] }));
        setInterval(() => {}, 1000);`,
      ],
      { stdout: "pipe", timeout: 20_000 },
    );
    const reader = owner.stdout.getReader();
    const line = new TextDecoder().decode((await reader.read()).value);
    const { pid, ns } = JSON.parse(line) as { pid: number; ns: string[] };
    expect(pidAlive(pid)).toBe(true);
    owner.kill("SIGKILL");
    await owner.exited;
    for (let i = 0; i < 100 && pidAlive(pid); i++) await Bun.sleep(10);
    expect(pidAlive(pid)).toBe(false);
    const removed = await WanLab.gc();
    expect(removed).toEqual(expect.arrayContaining(ns));
    for (const name of ns) expect(namespaces()).not.toContain(name);
  });
});
