// -sU against real daemons from Debian packages in a namespace of its own (scripts/lab.sh):
// dnsmasq (DNS, 53), chronyd (NTP, 123), snmpd (SNMP v2c public, 161) are the ground truth for
// open; a port dropped by iptables is open|filtered; the rest closed; and nmap -sU says the
// same in the same test. Root, iproute2, iptables and the daemons needed: skipped elsewhere.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Lab, labUnavailable } from "../../scripts/lib/lab.ts";
import { parseSsUdpBound } from "../../scripts/lib/ss.ts";
import { parsePortSpec } from "../../src/scan/ports/port-spec.ts";

setDefaultTimeout(120_000);
const DAEMONS = ["dnsmasq", "chronyd", "snmpd"];
const missing = DAEMONS.filter(
  (d) => Bun.which(d) === null && Bun.which(`/usr/sbin/${d}`) === null,
);
const why = labUnavailable() ?? (missing.length > 0 ? `missing: ${missing.join(", ")}` : null);
if (why) console.log(`udp-lab.test.ts skipped: ${why}`);
const hasNmap = Bun.which("nmap") !== null;

const OPEN = [53, 123, 161];
const DROPPED = 7777;
const CLOSED = [54, 124, 9999, 20000];
const SPEC = [...OPEN, DROPPED, ...CLOSED].join(",");

describe.skipIf(why !== null)("-sU against dnsmasq, chronyd and snmpd", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await Lab.create({ tag: "udp-daemons" });
    const dir = mkdtempSync(join(tmpdir(), "tp-udp-lab-"));
    const chrony = join(dir, "chrony.conf");
    writeFileSync(
      chrony,
      `allow 127.0.0.1\nport 123\ncmdport 0\nlocal stratum 8\npidfile ${dir}/c.pid\n`,
    );
    const snmp = join(dir, "snmpd.conf");
    writeFileSync(snmp, "rocommunity public 127.0.0.1\n");
    const drop = ["iptables", "-A", "INPUT", "-p", "udp", "--dport", String(DROPPED), "-j", "DROP"];
    expect((await lab.run(drop)).code).toBe(0);
    lab.spawn(
      ["dnsmasq", "-k", "-C", "/dev/null", "--no-resolv", "--no-hosts", "--port=53"].concat([
        "--listen-address=127.0.0.1",
        "--bind-interfaces",
        "--user=root",
        `--pid-file=${dir}/d.pid`,
      ]),
    );
    lab.spawn(["chronyd", "-d", "-x", "-f", chrony, "-U", "-u", "root"]);
    lab.spawn(["snmpd", "-f", "-Lo", "-C", "-c", snmp, "-p", `${dir}/s.pid`, "udp:127.0.0.1:161"]);
    // Wait (bounded) until the three are bound.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const bound = parseSsUdpBound((await lab.run(["ss", "-lunH"])).stdout);
      if (OPEN.every((p) => bound.includes(p))) break;
      if (Date.now() > deadline) throw new Error(`daemons not bound: ${bound.join(",")}`);
      await Bun.sleep(50);
    }
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  async function tpScan(): Promise<Record<string, number[]>> {
    const r = await lab.scan(["-sU", "-p", SPEC, "--jsonl", "127.0.0.1"]);
    expect(r.code).toBe(0);
    const host = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .find((l) => l.type === "host");
    const of = (key: string) => (host[key] ? parsePortSpec(host[key]) : []);
    return { open: of("open"), closed: of("closed"), "open|filtered": of("open|filtered") };
  }

  test("the daemons open, the dropped port open|filtered, the rest closed", async () => {
    const states = await tpScan();
    expect(states.open).toEqual(OPEN);
    expect(states["open|filtered"]).toEqual([DROPPED]);
    expect(states.closed).toEqual(CLOSED);
  });

  test("the embedded payloads (no nmap-payloads) make each daemon answer", async () => {
    const script = join(import.meta.dir, "fixtures", "udp-embedded.ts");
    const r = await lab.run([process.execPath, script, OPEN.join(",")]);
    expect(r.code).toBe(0);
    // SNMP: v2c and v1 both answered by snmpd's rocommunity public.
    expect(JSON.parse(r.stdout)).toEqual({
      53: ["reply"],
      123: ["reply"],
      161: ["reply", "reply"],
    });
  });

  test.skipIf(!hasNmap)("the same states as nmap -sU", async () => {
    const ours = await tpScan();
    const r = await lab.run([
      "nmap",
      "-sU",
      "-Pn",
      "-n",
      "-T4",
      "-p",
      SPEC,
      "-oX",
      "-",
      "127.0.0.1",
    ]);
    expect(r.code).toBe(0);
    const theirs: Record<string, number[]> = { open: [], closed: [], "open|filtered": [] };
    for (const m of r.stdout.matchAll(/portid="(\d+)"><state state="([a-z|]+)"/g))
      theirs[m[2] as string]?.push(Number(m[1]));
    for (const m of r.stdout.matchAll(
      /<extraports state="([a-z|]+)" count="\d+">\n<extrareasons [^>]*ports="([^"]+)"/g,
    ))
      theirs[m[1] as string]?.push(...parsePortSpec(m[2] as string));
    for (const list of Object.values(theirs)) list.sort((a, b) => a - b);
    expect(ours).toEqual(theirs);
  });
});
