// Discovery on evidence (issue 18), against nmap -sT in the same test: a host behind each kind
// of firewall (scripts/lib/firewall-lab.ts: two namespaces, the target's iptables rules), its
// status and every port's state from ./tp-scan and from nmap. Each case runs as root (tp-scan's
// pings include an ICMP echo, nmap's its privileged discovery) and, where the evidence differs,
// as nobody (connect pings only; nmap --unprivileged). Skipped without root/iptables or nmap.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import {
  FIREWALLS,
  FirewallLab,
  labUnavailable,
  nmapMissing,
  parseNmapXml,
  REJECT_CODES,
  type RejectCode,
  TARGET_ADDRESS,
  UNROUTED_ADDRESS,
} from "../../scripts/lib/firewall-lab.ts";

setDefaultTimeout(180_000);

const missing = labUnavailable() ?? nmapMissing();
if (missing) console.warn(`firewall lab tests skipped: ${missing}`);
const suite = missing ? describe.skip : describe;

const OPEN = 2222;

interface Seen {
  status: string;
  reason: string | null;
  open: number[];
  counts: { open: number; closed: number; filtered: number };
}

/** ./tp-scan --json on the lab's target: its status and states. */
async function tpScan(lab: FirewallLab, args: string[], asUser = false): Promise<Seen> {
  const r = await lab.scan([...args, "--json"], { asUser });
  expect(r.stderr).not.toMatch(/panic|TypeError|at .*\.ts:/);
  const t = JSON.parse(r.stdout).targets[0];
  const open = t.ports.filter((p: { state: string }) => p.state === "open");
  return {
    status: t.status,
    reason: t.reason,
    open: open.map((p: { port: number }) => p.port),
    counts: { open: t.counts.open, closed: t.counts.closed, filtered: t.counts.filtered },
  };
}

/** nmap -sT's view of the same ports (its -oX). */
async function nmap(lab: FirewallLab, args: string[], asUser = false): Promise<Seen> {
  const r = await lab.nmap(["-T4", ...args], { asUser });
  expect(r.code).toBe(0);
  const host = parseNmapXml(r.stdout);
  const counts = { open: 0, closed: 0, filtered: 0 };
  const open: number[] = [];
  for (const [port, p] of host.ports) {
    counts[p.state as keyof typeof counts]++;
    if (p.state === "open") open.push(port);
  }
  for (const [state, n] of host.extra) counts[state as keyof typeof counts] += n;
  return { status: host.status, reason: host.statusReason, open, counts };
}

/** Both tools on `ports` of `address`: the same status and the same count of each state. */
async function compare(lab: FirewallLab, ports: string, opts: { asUser?: boolean } = {}) {
  const address = TARGET_ADDRESS;
  const [ours, theirs] = [
    await tpScan(lab, [address, "-p", ports], opts.asUser),
    await nmap(lab, ["-p", ports, address], opts.asUser),
  ];
  expect(ours.status).toBe(theirs.status);
  if (ours.status === "up") {
    expect(ours.open).toEqual(theirs.open);
    expect(ours.counts).toEqual(theirs.counts);
  }
  return { ours, theirs };
}

suite("a host behind each firewall, tp-scan beside nmap -sT", () => {
  let lab: FirewallLab | undefined;
  afterEach(async () => {
    await lab?.destroy();
    lab = undefined;
  });

  const expected: Record<RejectCode, "filtered" | "closed"> = {
    "icmp-host-prohibited": "filtered",
    "icmp-admin-prohibited": "filtered",
    "icmp-net-prohibited": "filtered",
    "icmp-port-unreachable": "closed",
    "tcp-reset": "closed",
  };
  for (const code of REJECT_CODES) {
    test(`every port but one REJECTed --reject-with ${code}: up, the open port found`, async () => {
      lab = await FirewallLab.create(FIREWALLS.rejectAllBut(code, OPEN));
      await lab.listen([OPEN]);
      // Issue 18: with icmp-host-prohibited the first EHOSTUNREACH ended the host after 0 ports.
      const { ours } = await compare(lab, "2200-2300");
      expect(ours.status).toBe("up");
      expect(ours.open).toEqual([OPEN]);
      expect(ours.counts[expected[code]]).toBe(100);
    });
  }

  test("default-deny with one open port, echo allowed: up on its echo reply (root)", async () => {
    lab = await FirewallLab.create(FIREWALLS.defaultDeny(OPEN, true));
    await lab.listen([OPEN]);
    const { ours } = await compare(lab, "2200-2300");
    expect(ours).toMatchObject({ status: "up", reason: "echo-reply", open: [OPEN] });
    // Without the right to send an echo both tools have only connect pings, which are dropped.
    const user = await compare(lab, "2200-2300", { asUser: true });
    expect(user.ours.status).toBe("down");
  });

  test("a narrow list all dropped but the open port, RST elsewhere: up on its connect pings", async () => {
    lab = await FirewallLab.create(FIREWALLS.dropRange(2000, 3000, OPEN));
    await lab.listen([OPEN]);
    for (const asUser of [false, true]) {
      const { ours } = await compare(lab, "2000-3000", { asUser });
      expect(ours).toMatchObject({ status: "up", open: [OPEN] });
      expect(ours.counts.filtered).toBe(1000);
    }
  });

  test("a host that drops everything: down", async () => {
    lab = await FirewallLab.create(FIREWALLS.dropAll());
    const { ours } = await compare(lab, "2200-2300");
    expect(ours).toMatchObject({ status: "down", reason: "no-response" });
  });

  test("a local unreachable route: unreachable (nmap: down), exit 1", async () => {
    lab = await FirewallLab.create([]);
    const r = await lab.scan([UNROUTED_ADDRESS, "-p", "2200-2300", "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).targets[0]).toMatchObject({
      status: "unreachable",
      reason: "host-unreach",
    });
    const theirs = parseNmapXml((await lab.nmap(["-p", "2200-2300", UNROUTED_ADDRESS])).stdout);
    expect(theirs.status).toBe("down");
  });

  test("every port redirected to one listener: marked and cut short", async () => {
    lab = await FirewallLab.create(FIREWALLS.allOpen(OPEN));
    await lab.listen([OPEN]);
    const r = await lab.scan([TARGET_ADDRESS, "-p", "1-3000", "--json"]);
    const t = JSON.parse(r.stdout).targets[0];
    // nmap believes it: 3000 open ports.
    const theirs = await nmap(lab, ["-p", "1-3000", TARGET_ADDRESS]);
    expect(theirs.counts.open).toBe(3000);
    expect(t.status).toBe("up");
    expect(t.interrupted).toBe(true);
    expect(t.counts.closed + t.counts.filtered).toBe(0);
    // Cut after its first sample of all-open ports (policy/all-open.ts), far from 3000.
    expect(t.counts.open).toBeLessThan(1000);
  });
});
