import { describe, expect, test } from "bun:test";
import {
  CONNECT_PING_PORTS,
  connectPingPorts,
  DEFAULT_DISCOVERY,
  decideLiveness,
  discoveryMethods,
  type HostEvidence,
  PROBE_FIRST_PORTS,
  probeOrder,
  probeVerdict,
} from "../../src/scan/policy/discovery.ts";
import { RttEstimator } from "../../src/scan/policy/timing.ts";
import { allPorts } from "../../src/scan/ports/port-spec.ts";
import { ECONNREFUSED, EHOSTUNREACH, ENETUNREACH } from "../../src/scan/sys/libc.ts";

describe("probeOrder", () => {
  test("the ports most often answered go first, the rest keep their order", () => {
    expect(probeOrder([1, 22, 5000, 443, 80, 2])).toEqual([80, 443, 22, 1, 5000, 2]);
    expect(probeOrder([9000, 9001])).toEqual([9000, 9001]);
    const full = probeOrder(allPorts());
    expect(full.slice(0, PROBE_FIRST_PORTS.length)).toEqual([...PROBE_FIRST_PORTS]);
    expect(new Set(full).size).toBe(65535);
  });
});

describe("pings outside the scanned list", () => {
  test("80 and 443 (nmap's unprivileged pings) unless the scan probes them anyway", () => {
    expect(CONNECT_PING_PORTS).toEqual([80, 443]);
    expect(connectPingPorts([2000, 2001])).toEqual([80, 443]);
    expect(connectPingPorts([80, 2000])).toEqual([443]);
    expect(connectPingPorts(allPorts())).toEqual([]);
  });
  test("the methods a scan says it used", () => {
    const p = DEFAULT_DISCOVERY;
    expect(discoveryMethods(p, [2000], true)).toEqual(["scan-ports", "connect-ping", "icmp-echo"]);
    expect(discoveryMethods(p, allPorts(), false)).toEqual(["scan-ports"]);
    expect(discoveryMethods({ ...p, assumeUp: true }, [2000], true)).toEqual(["none"]);
  });
});

describe("probeVerdict: nmap -sT's state and reason for each way a connect() ends", () => {
  test("connected, refused, silent", () => {
    expect(probeVerdict(0)).toMatchObject({ state: "open", reason: "syn-ack", answered: true });
    expect(probeVerdict(ECONNREFUSED)).toMatchObject({ state: "closed", reason: "conn-refused" });
    expect(probeVerdict(null)).toMatchObject({ state: "filtered", reason: "no-response" });
    expect(probeVerdict(null).answered).toBe(false);
  });
  test("ICMP errors: filtered with the error, no answer, evidence of unreachability", () => {
    const cases: Array<[number, string]> = [
      [EHOSTUNREACH, "host-unreach"],
      [ENETUNREACH, "net-unreach"],
      [13, "admin-prohibited"],
    ];
    for (const [errno, reason] of cases)
      expect(probeVerdict(errno)).toEqual({
        state: "filtered",
        reason: reason as never,
        answered: false,
        unreachable: true,
      });
  });
});

describe("decideLiveness", () => {
  const none: HostEvidence = {
    answered: false,
    discoveryPorts: 10,
    unansweredDiscoveryPorts: 0,
    unreachable: 0,
    pings: "unsent",
    assumeUp: false,
  };
  test("any answer: up, even after ICMP errors or with -Pn", () => {
    expect(decideLiveness({ ...none, answered: true, unreachable: 3 })).toBe("up");
    expect(decideLiveness({ ...none, answered: true, assumeUp: true })).toBe("up");
  });
  test("an ICMP error no longer ends a host: it waits for its other discovery probes", () => {
    expect(decideLiveness({ ...none, unreachable: 1, unansweredDiscoveryPorts: 1 })).toBe(
      "pending",
    );
  });
  test("discovery ports spent: ping; pings awaited: pending; all over: down or unreachable", () => {
    const spent = { ...none, unansweredDiscoveryPorts: 10 };
    expect(decideLiveness({ ...spent, unansweredDiscoveryPorts: 9 })).toBe("pending");
    expect(decideLiveness(spent)).toBe("ping");
    expect(decideLiveness({ ...spent, pings: "pending" })).toBe("pending");
    expect(decideLiveness({ ...spent, pings: "over" })).toBe("down");
    expect(decideLiveness({ ...spent, pings: "none" })).toBe("down");
    expect(decideLiveness({ ...spent, pings: "over", unreachable: 12 })).toBe("unreachable");
  });
  test("-Pn: never down nor unreachable", () => {
    const spent = { ...none, unansweredDiscoveryPorts: 10, pings: "over" as const };
    expect(decideLiveness({ ...spent, unreachable: 2, assumeUp: true })).toBe("pending");
  });
});

/**
 * One host's discovery ports, each waiting the real back-off timeout; `answers(port)` gives the
 * round trip of an answer or undefined (silence). Returns the decision after the discovery
 * ports, the probes spent and when the last of them ended.
 */
function discover(answers: (port: number) => number | undefined) {
  const ports = probeOrder(allPorts()).slice(0, DEFAULT_DISCOVERY.probes);
  const rtt = new RttEstimator();
  let probes = 0;
  let answered = false;
  let endedAt = 0;
  for (const port of ports) {
    let t = 0;
    for (let attempt = 0; attempt < DEFAULT_DISCOVERY.tries; attempt++) {
      probes++;
      const wait = rtt.timeoutMs(attempt);
      const answer = answers(port);
      if (answer !== undefined && answer <= wait) {
        answered = true;
        t += answer;
        break;
      }
      t += wait;
    }
    endedAt = Math.max(endedAt, t);
  }
  const state = decideLiveness({
    answered,
    discoveryPorts: ports.length,
    unansweredDiscoveryPorts: answered ? 0 : ports.length,
    unreachable: 0,
    pings: "unsent",
    assumeUp: false,
  });
  return { state, probes, endedAt };
}

describe("issue 8 scenarios", () => {
  test("a dead address: pinged after 10 ports × 3 tries, 2.1 s", () => {
    const r = discover(() => undefined);
    expect(r.state).toBe("ping");
    expect(r.probes).toBe(30);
    // 300 + 600 + 1200 ms of back-off: nmap's host discovery took 2.1 s in the lab.
    expect(r.endedAt).toBe(2100);
  });
  test("a host 700 ms away answering RST: found on the third try", () => {
    const r = discover(() => 700);
    expect(r.state).toBe("up");
    expect(r.endedAt).toBe(300 + 600 + 700);
  });
});
