// The standalone SYN transport against the kernel, inside a namespace of the test's own
// (scripts/lab.sh): the full port range exact against ss -ltn, a forged SYN-ACK with a wrong
// ack ignored and counted, no half-open connection left behind (the kernel's RST to each
// SYN-ACK), and the one-line refusal without CAP_NET_RAW. Skipped where no lab can be built.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { Lab, labUnavailable } from "../../../scripts/lib/lab.ts";
import { runCommand } from "../../../scripts/lib/run.ts";

setDefaultTimeout(60_000);
const SWEEP = join(import.meta.dir, "fixtures", "sweep.ts");
const noLab = labUnavailable();
if (noLab) console.warn(`SYN transport tests skipped: ${noLab}`);
const suite = noLab ? describe.skip : describe;

interface Sweep {
  open: number[];
  closed: number;
  unreachable: number;
  silent: number;
  counters: { sent: number; answers: number; badCookie: number; unparsed: number };
}

const parse = (stdout: string) => JSON.parse(stdout.trim().split("\n").pop() as string) as Sweep;

suite("SYN transport in a namespace", () => {
  let lab: Lab;
  let stop: () => Promise<void>;
  // Ports in and around our source ports (61000-61003) too: the scan probes its own ports.
  const listened = [22, 80, 443, 8080, 33000, 60999, 61000, 61002, 65535];

  beforeAll(async () => {
    lab = await Lab.create({ tag: "syn" });
    stop = (await lab.listen(listened)).stop;
  });
  afterAll(async () => {
    await stop?.();
    await lab?.destroy();
  });

  test("the full range 1-65535: open ports are exactly ss -ltn's, every other port closed", async () => {
    const truth = [...(await lab.listeningPorts("127.0.0.1"))].sort((a, b) => a - b);
    expect(truth).toEqual(listened);
    const res = await lab.run([process.execPath, SWEEP]);
    expect(res.code).toBe(0);
    const s = parse(res.stdout);
    expect(s.open).toEqual(truth);
    expect(s.closed).toBe(65535 - truth.length);
    expect(s.silent).toBe(0);
    // Nothing forged here: our own SYNs looped back and the kernel's RSTs never pass as answers.
    expect(s.counters.badCookie).toBe(0);
    expect(s.counters.unparsed).toBe(0);
    // The kernel answered each SYN-ACK with a RST: no half-open connection is left.
    const synRecv = await lab.run(["ss", "-tnH", "state", "syn-recv"]);
    expect(synRecv.stdout.trim()).toBe("");
  });

  test("a forged SYN-ACK with a wrong ack is ignored and counted; one with the cookie is taken", async () => {
    const res = await lab.run([process.execPath, SWEEP, "--last", "1000", "--forge", "62000"]);
    expect(res.code).toBe(0);
    const s = parse(res.stdout);
    expect(s.counters.badCookie).toBe(1);
    expect(s.open).toEqual([22, 80, 443, 62000]);
    expect(s.counters.answers).toBe(1001);
  });

  test("without CAP_NET_RAW: one line saying how to get it, exit 2", async () => {
    const argv = ["setpriv", "--reuid=65534", "--inh-caps=-all", "--bounding-set=-all"];
    const res = await runCommand([...argv, process.execPath, SWEEP], {
      timeoutMs: 30_000,
      env: { BUN_INSTALL_CACHE_DIR: "/tmp", HOME: "/tmp" },
    });
    expect(res.stderr.trim()).toBe(
      "sweep: error: -sS needs root or CAP_NET_RAW: run it as root, or setcap cap_net_raw+ep ./tp-net (see 'sweep --help')",
    );
    expect(res.code).toBe(2);
  });
});
