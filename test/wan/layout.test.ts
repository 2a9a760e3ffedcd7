// The WAN lab's plan without a network: address roles, link specs, the target side's iptables
// rules and reading their counters back, and the CLI's option parsing.
import { describe, expect, test } from "bun:test";
import { parseUp } from "../../scripts/wan/cli.ts";
import { scannerIpBatch, targetIpBatch } from "../../scripts/wan/interfaces.ts";
import {
  expandPorts,
  linkSpec,
  parseSpec,
  planAddresses,
  poolAddress,
  specOf,
  v6Of,
} from "../../scripts/wan/layout.ts";
import { hostsFile } from "../../scripts/wan/names.ts";
import { ipv6Bytes } from "../../scripts/wan/probe.ts";
import { ruleCounters, synCountsByAddress, targetRules } from "../../scripts/wan/rules.ts";

describe("address plan", () => {
  test("the pool skips .0 and .255 and stays in 198.19/16", () => {
    expect(poolAddress(0)).toBe("198.19.1.1");
    expect(poolAddress(253)).toBe("198.19.1.254");
    expect(poolAddress(254)).toBe("198.19.2.1");
    expect(() => poolAddress(255 * 254)).toThrow();
  });

  test("hosts first, then absent, then unreachable; listeners and drops per host", () => {
    const plan = planAddresses({
      hosts: [{ listen: [22, "80-81"], dropSyn: ["1000-2000", 5] }, {}],
      absent: 2,
      unreachable: 1,
    });
    expect(plan.hosts.map((h) => h.address)).toEqual(["198.19.1.1", "198.19.1.2"]);
    expect(plan.hosts[0]?.listen).toEqual([22, 80, 81]);
    expect(plan.hosts[0]?.dropSyn).toEqual([
      [1000, 2000],
      [5, 5],
    ]);
    expect(plan.absent).toEqual(["198.19.1.3", "198.19.1.4"]);
    expect(plan.unreachable).toEqual(["198.19.1.5"]);
  });

  test("interleaving mixes roles by seed, keeping every address and the hosts' order", () => {
    const options = { hosts: 200, absent: 20, unreachable: 5, interleave: true, seed: 3 };
    const plan = planAddresses(options);
    expect(plan.addresses).toEqual(Array.from({ length: 225 }, (_, i) => poolAddress(i)));
    const position = (a: string) => plan.addresses.indexOf(a);
    const lastHost = position(plan.hosts.at(-1)?.address ?? "");
    expect(plan.absent.some((a) => position(a) < lastHost)).toBe(true);
    expect(planAddresses(options)).toEqual(plan);
    expect(planAddresses({ ...options, seed: 4 }).absent).not.toEqual(plan.absent);
  });

  test("bad ports and counts are refused", () => {
    expect(() => expandPorts(["0"])).toThrow();
    expect(() => expandPorts(["20-10"])).toThrow();
    expect(() => planAddresses({ absent: -1 })).toThrow();
    expect(() => planAddresses({ hosts: 70000 })).toThrow();
  });
});

describe("link and target configuration", () => {
  test("a direction's settings override the shared ones", () => {
    const base = { delayMs: 25, lossPct: 2 };
    expect(linkSpec(base)).toBe("delay=25,jitter=0,loss=2,pps=0,queue=0");
    expect(linkSpec(base, { lossPct: 0, pps: 2000, queue: 200 })).toBe(
      "delay=25,jitter=0,loss=0,pps=2000,queue=200",
    );
    expect(() => linkSpec({ lossPct: 101 })).toThrow();
    expect(specOf({ delayMs: 100, queue: 0 })).toBe("delay=100,queue=0");
    expect(specOf({})).toBe("");
    expect(parseSpec("delay=25,loss=2.5")).toEqual({ delayMs: 25, lossPct: 2.5 });
    expect(specOf(parseSpec("pps=2000,queue=200"))).toBe("pps=2000,queue=200");
    expect(() => parseSpec("delay=x")).toThrow("bad link setting");
    expect(() => parseSpec("speed=3")).toThrow("bad link setting");
    expect(() => parseSpec("loss=150")).toThrow("bad loss");
  });

  test("absent addresses are not given to the target side", () => {
    const plan = planAddresses({ hosts: 1, absent: 1, unreachable: 1 });
    const batch = targetIpBatch(plan, "wan0");
    expect(batch).toContain("addr add 198.19.1.1/32");
    expect(batch).not.toContain("198.19.1.2/32");
    expect(batch).toContain("addr add 198.19.1.3/32");
  });

  test("rules: SYN counter, REJECT for unreachable, drops per host, RST limit per host", () => {
    const options = { hosts: [{ dropSyn: ["7-9"] }], unreachable: 1, rstPerSecond: 200 };
    const rules = targetRules(planAddresses(options), options);
    expect(rules).toContain("-A PREROUTING -p tcp --syn -m comment --comment wan-syn");
    expect(rules).toContain("-d 198.19.1.2/32 -j REJECT --reject-with icmp-host-unreachable");
    expect(rules).toContain("-d 198.19.1.1/32 -p tcp --syn --dport 7:9 -j DROP");
    expect(rules).toContain(
      "--hashlimit-upto 200/sec --hashlimit-burst 200 --hashlimit-mode srcip",
    );
    expect(targetRules(planAddresses({}), {})).not.toContain("RST");
  });

  test("rule counters are read back by their comments", () => {
    const save = [
      "*raw",
      "[1234:56789] -A PREROUTING -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m comment --comment wan-syn",
      "*filter",
      "[50:2000] -A OUTPUT -p tcp -m hashlimit --hashlimit-upto 50/sec -m comment --comment wan-rst-sent -j ACCEPT",
      "[7:280] -A OUTPUT -p tcp -m comment --comment wan-rst-dropped -j DROP",
    ].join("\n");
    expect(ruleCounters(save)).toEqual({ syn: 1234, rstSent: 50, rstDropped: 7 });
    expect(ruleCounters("")).toEqual({ syn: 0, rstSent: 0, rstDropped: 0 });
  });

  test("per-address SYN counters: SYNs jump to a chain of one rule per address", () => {
    const options = { hosts: 2, absent: 1, synPerAddress: true };
    const rules = targetRules(planAddresses(options), options);
    expect(rules).toContain("--comment wan-syn -j WANSYN");
    expect(rules.match(/-A WANSYN -d 198\.19\.1\.\d\/32 -j RETURN/g)).toHaveLength(3);
    const save =
      "[12:480] -A WANSYN -d 198.19.1.1/32 -j RETURN\n[0:0] -A WANSYN -d 198.19.1.3/32 -j RETURN";
    expect(synCountsByAddress(save)).toEqual(
      new Map([
        ["198.19.1.1", 12],
        ["198.19.1.3", 0],
      ]),
    );
  });
});

describe("CLI options", () => {
  test("up: link settings, hosts with the same listeners, the command after --", () => {
    const { options, command } = parseUp([
      "--delay",
      "25",
      "--loss",
      "2",
      "--hosts",
      "3",
      "--listen",
      "22,80-81",
      "--absent",
      "2",
      "--interleave",
      "--ipv6",
      "--",
      "tp-scan",
      "--delay",
      "9",
    ]);
    expect(options).toMatchObject({
      delayMs: 25,
      lossPct: 2,
      absent: 2,
      interleave: true,
      ipv6: true,
    });
    expect(options.hosts).toEqual(Array(3).fill({ listen: ["22", "80-81"] }));
    expect(command).toEqual(["tp-scan", "--delay", "9"]);
    expect(parseUp(["--to-scanner", "loss=5"]).options.toScanner).toEqual({ lossPct: 5 });
    expect(() => parseUp(["--bogus", "1"])).toThrow("unknown option --bogus");
    expect(() => parseUp(["--delay"])).toThrow("needs a value");
  });
});

describe("IPv6 twins", () => {
  test("198.19.X.Y ↔ 2001:2::X:Y, in the plan, the interfaces and the rules", () => {
    expect(v6Of("198.19.1.254")).toBe("2001:2::1:fe");
    const options = {
      ipv6: true,
      hosts: [{ dropSyn: ["7"] }],
      absent: 1,
      unreachable: 1,
      rstPerSecond: 9,
    };
    const plan = planAddresses(options);
    expect(plan.hosts[0]?.address6).toBe("2001:2::1:1");
    expect(planAddresses({}).hosts[0]?.address6).toBeUndefined();
    const batch = targetIpBatch(plan, "wan0");
    expect(batch).toContain("addr add 2001:2::1:1/128 dev wan0 nodad");
    expect(batch).not.toContain("2001:2::1:2/128");
    expect(batch).toContain("route add blackhole 2001:2::/64");
    expect(scannerIpBatch(plan, "wan0")).toContain("addr add 2001:2:0:ff::1/128 dev wan0 nodad");
    const rules = targetRules(plan, options, 6);
    expect(rules).toContain("-d 2001:2::1:1/128 -p tcp --syn --dport 7:7 -j DROP");
    expect(rules).toContain("-d 2001:2::1:3/128 -j REJECT --reject-with icmp6-addr-unreachable");
    expect(rules).toContain("--hashlimit-name wanrst6");
  });

  test("probe.ts writes IPv6 addresses as the kernel wants them", () => {
    expect([...ipv6Bytes("2001:2::1:fe")]).toEqual([
      0x20, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0xfe,
    ]);
    expect([...ipv6Bytes("::1")]).toEqual([...Array(15).fill(0), 1]);
    expect(() => ipv6Bytes("2001::2::1")).toThrow();
  });
});

describe("names in the scanner namespace", () => {
  test("every address by role and rank, IPv6 twins under the same name", () => {
    const file = hostsFile(planAddresses({ hosts: 2, absent: 1, unreachable: 1, ipv6: true }));
    const lines = file.trim().split("\n");
    expect(lines).toContain("198.19.1.2 host-2.wan.test");
    expect(lines).toContain("2001:2::1:2 host-2.wan.test");
    expect(lines).toContain("198.19.1.3 absent-1.wan.test");
    expect(lines).toContain("198.19.1.4 unreachable-1.wan.test");
    expect(lines).toContain("127.0.0.1 localhost");
    expect(hostsFile(planAddresses({}))).not.toContain("2001:2");
  });
});
