// tp-scan -sS as a user runs it, inside a namespace of the test's own (scripts/lab.sh): the
// full range exact against ss -ltn with a SYN-dropping (firewalled) range, the same states as
// nmap -sS in the same lab, and the refusals (no privilege, bad -S/-g). Skipped where no lab
// can be built; the nmap comparison where nmap is missing.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Lab, labUnavailable } from "../../../scripts/lib/lab.ts";
import { exePath } from "../../../scripts/lib/root.ts";
import { runCommand } from "../../../scripts/lib/run.ts";
import { runExe } from "../../helpers/exe.ts";

setDefaultTimeout(120_000);
const noLab = labUnavailable();
if (noLab) console.warn(`tp-scan -sS lab tests skipped: ${noLab}`);
const suite = noLab ? describe.skip : describe;
const hasNmap = Bun.spawnSync(["sh", "-c", "command -v nmap"]).exitCode === 0;
if (!hasNmap) console.warn("tp-scan -sS against nmap -sS skipped: nmap is not installed");

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

function statesOf(stdout: string): Map<number, string> {
  const doc = JSON.parse(stdout);
  const out = new Map<number, string>();
  for (const p of doc.targets[0].ports as Array<{ port: number; state: string }>)
    out.set(p.port, p.state);
  return out;
}

/** nmap -oG: the ports it lists (open and filtered here; the rest "Ignored State: closed"). */
function nmapStates(stdout: string): Map<number, string> {
  const out = new Map<number, string>();
  const line = stdout.split("\n").find((l) => l.includes("Ports: ")) ?? "";
  for (const item of (line.split("Ports: ")[1] ?? "").split("\t")[0]?.split(", ") ?? []) {
    const [port, state] = item.trim().split("/");
    if (port && state) out.set(Number(port), state);
  }
  return out;
}

suite("tp-scan -sS in a namespace", () => {
  let lab: Lab;
  const listened = [22, 80, 443, 8080, 33000, 61000, 61015, 65535];
  const dropped = range(7000, 7019);

  beforeAll(async () => {
    lab = await Lab.create({ tag: "syn-cli", drops: ["7000:7019"] });
    await lab.listen(listened);
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  test("the full range: open = ss -ltn, the dropped range filtered, every other port closed", async () => {
    const truth = [...(await lab.listeningPorts("127.0.0.1"))].sort((a, b) => a - b);
    expect(truth).toEqual(listened);
    const res = await lab.scan(["-sS", "127.0.0.1", "--json", "--show", "closed,filtered"]);
    expect(res.code).toBe(0);
    const states = statesOf(res.stdout);
    const inState = (s: string) => [...states].filter(([, v]) => v === s).map(([p]) => p);
    expect(inState("open").sort((a, b) => a - b)).toEqual(truth);
    expect(inState("filtered").sort((a, b) => a - b)).toEqual(dropped);
    expect(inState("closed").length).toBe(65535 - truth.length - dropped.length);
    const synRecv = await lab.run(["ss", "-tnH", "state", "syn-recv"]);
    expect(synRecv.stdout.trim()).toBe(""); // the kernel's RSTs closed every half-open one
  });

  test.skipIf(!hasNmap)("the same states as nmap -sS in the same lab", async () => {
    const ours = await lab.scan(["-sS", "127.0.0.1", "--json", "--show", "filtered"]);
    const theirs = await lab.run(["nmap", "-sS", "-p-", "-T5", "-n", "-oG", "-", "127.0.0.1"]);
    expect(theirs.code).toBe(0);
    const nmap = nmapStates(theirs.stdout);
    expect(nmap.size).toBe(listened.length + dropped.length);
    expect(statesOf(ours.stdout)).toEqual(nmap);
  });

  test("-g and -S: a fixed source port and address, the answers to it read", async () => {
    const res = await lab.scan([
      "-sS",
      "-g",
      "40000",
      "-S",
      "127.0.0.1",
      "127.0.0.1",
      "-p",
      "1-1024",
      "--json",
    ]);
    expect(res.code).toBe(0);
    const open = [...statesOf(res.stdout)].filter(([, s]) => s === "open").map(([p]) => p);
    expect(open).toEqual([22, 80, 443]);
  });
});

test("-sS without CAP_NET_RAW: one line saying how to get it, exit 2", async () => {
  const argv = ["setpriv", "--reuid=65534", "--inh-caps=-all", "--bounding-set=-all"];
  const res = await runCommand([...argv, exePath("tp-scan"), "-sS", "127.0.0.1", "-p", "80"], {
    timeoutMs: 30_000,
  });
  expect(res.stderr.trim()).toBe(
    "tp-scan: error: -sS needs root or CAP_NET_RAW: run it as root, or setcap cap_net_raw+ep ./tp-net (see 'tp-scan --help')",
  );
  expect(res.code).toBe(2);
});

test("bad scan-type flags are one-line usage errors", async () => {
  for (const [args, said] of [
    [["-sS", "-sT", "127.0.0.1"], "-sS and -sT cannot be combined"],
    [["-g", "5", "127.0.0.1"], "-S and -g need -sS"],
    [["-sS", "-S", "1.2.3", "127.0.0.1"], "-S expects an IPv4 address, got '1.2.3'"],
    [["-sS", "-g", "70000", "127.0.0.1"], "-g"],
  ] as const) {
    const res = await runExe("tp-scan", [...args]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(said);
    expect(res.stderr.trim().split("\n").length).toBe(1);
  }
});
