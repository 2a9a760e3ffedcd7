import { describe, expect, test } from "bun:test";
import {
  DEFAULT_DISCOVERY,
  decideLiveness,
  HostDiscovery,
  PROBE_FIRST_PORTS,
  probeOrder,
} from "../../src/scan/policy/discovery.ts";
import { RttEstimator } from "../../src/scan/policy/timing.ts";
import { allPorts } from "../../src/scan/ports/port-spec.ts";

describe("probeOrder", () => {
  test("the ports most often answered go first, the rest keep their order", () => {
    expect(probeOrder([1, 22, 5000, 443, 80, 2])).toEqual([80, 443, 22, 1, 5000, 2]);
    expect(probeOrder([9000, 9001])).toEqual([9000, 9001]);
    const full = probeOrder(allPorts());
    expect(full.slice(0, PROBE_FIRST_PORTS.length)).toEqual([...PROBE_FIRST_PORTS]);
    expect(new Set(full).size).toBe(65535);
  });
});

describe("decideLiveness", () => {
  const none = {
    answered: 0,
    unreachable: 0,
    silentDiscoveryPorts: 0,
    discoveryPorts: 10,
    assumeUp: false,
  };
  test("any answer: up, even after an ICMP error or with -Pn", () => {
    expect(decideLiveness({ ...none, answered: 1, unreachable: 3 })).toBe("up");
    expect(decideLiveness({ ...none, answered: 1, assumeUp: true })).toBe("up");
  });
  test("an ICMP error: unreachable at once; all discovery ports silent: down", () => {
    expect(decideLiveness({ ...none, unreachable: 1 })).toBe("unreachable");
    expect(decideLiveness({ ...none, silentDiscoveryPorts: 9 })).toBe("pending");
    expect(decideLiveness({ ...none, silentDiscoveryPorts: 10 })).toBe("down");
  });
  test("-Pn: never down nor unreachable", () => {
    expect(
      decideLiveness({ ...none, silentDiscoveryPorts: 10, unreachable: 2, assumeUp: true }),
    ).toBe("pending");
  });
});

/**
 * One host, all ports: each probe waits the real back-off timeout; `answers(port)` gives the
 * round trip of an answer or undefined (silence). Discovery ports go first, in parallel; other
 * ports only once the host is up. Returns the state, the probes spent and the time to decide.
 */
function discover(answers: (port: number) => number | undefined, assumeUp = false) {
  const ports = probeOrder(allPorts());
  const d = new HostDiscovery(ports, { ...DEFAULT_DISCOVERY, assumeUp });
  const rtt = new RttEstimator();
  let probes = 0;
  let decidedAt = 0;
  // Each discovery port's tries run one after the other; all ports run side by side.
  const eligible = ports.filter((p) => d.mayProbe(p));
  const ends = eligible.map((port) => {
    let t = 0;
    for (let attempt = 0; attempt < d.tries(port, 2); attempt++) {
      probes++;
      const wait = rtt.timeoutMs(attempt);
      const answer = answers(port);
      if (answer !== undefined && answer <= wait)
        return { port, t: t + answer, attempt, answered: true };
      t += wait;
    }
    return { port, t, attempt: d.tries(port, 2) - 1, answered: false };
  });
  for (const end of ends.sort((a, b) => a.t - b.t)) {
    const before = d.state;
    d.record(end.port, end.answered ? "answered" : "timeout", end.attempt, true);
    if (before === "pending" && d.state !== "pending") decidedAt = end.t;
  }
  const probed = new Set(eligible);
  const rest = ports.filter((p) => !probed.has(p) && d.mayProbe(p)).length;
  return { state: d.state, probes, decidedAt, eligible: eligible.length, rest };
}

describe("issue 8 scenarios", () => {
  test("a dead address: down after 10 ports × 3 tries, 2.1 s, the other ports skipped", () => {
    const r = discover(() => undefined);
    expect(r.state).toBe("down");
    expect(r.eligible).toBe(DEFAULT_DISCOVERY.probes);
    expect(r.probes).toBe(30);
    // 300 + 600 + 1200 ms of back-off: nmap's host discovery took 2.1 s in the lab,
    // the old scan 59.8 s for the 65535 ports of a dead host.
    expect(r.decidedAt).toBe(2100);
    expect(r.rest).toBe(0);
  });

  test("a host 700 ms away answering RST: found on the third try, then every port", () => {
    const r = discover(() => 700);
    expect(r.state).toBe("up");
    expect(r.decidedAt).toBe(300 + 600 + 700);
    expect(r.rest).toBe(65535 - DEFAULT_DISCOVERY.probes);
  });

  test("a firewall that drops all but ssh: up on port 22", () => {
    const r = discover((port) => (port === 22 ? 20 : undefined));
    expect(r.state).toBe("up");
    expect(r.decidedAt).toBe(20);
  });

  test("-Pn: a silent host is never down and every port is probed", () => {
    const r = discover(() => undefined, true);
    expect(r.state).toBe("pending");
    expect(r.eligible).toBe(65535);
  });

  test("EHOSTUNREACH or ENETUNREACH: unreachable at once, nothing more is probed", () => {
    const d = new HostDiscovery(probeOrder(allPorts()));
    expect(d.mayProbe(80)).toBe(true);
    expect(d.mayProbe(5000)).toBe(false);
    expect(d.record(80, "unreachable", 0, false)).toBe("unreachable");
    expect(d.mayProbe(443)).toBe(false);
    const pn = new HostDiscovery(probeOrder(allPorts()), { ...DEFAULT_DISCOVERY, assumeUp: true });
    expect(pn.record(80, "unreachable", 0, true)).toBe("pending");
    expect(pn.mayProbe(5000)).toBe(true);
  });

  test("timeouts before the last try, or of ports outside discovery, do not count as silent", () => {
    const d = new HostDiscovery([1, 2, 3], { ...DEFAULT_DISCOVERY, probes: 2 });
    d.record(1, "timeout", 0, false);
    d.record(1, "timeout", 1, true); // settled after 2 tries: fewer than discovery's 3
    d.record(3, "timeout", 2, true);
    expect(d.state).toBe("pending");
    expect(d.tries(1, 2)).toBe(3);
    expect(d.tries(3, 2)).toBe(2);
    d.record(1, "timeout", 2, true);
    d.record(2, "timeout", 2, true);
    expect(d.state).toBe("down");
  });
});
