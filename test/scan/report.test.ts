import { expect, test } from "bun:test";
import { countStates } from "../../src/scan/engine/shared-memory.ts";
import { PORT_REASON_CODE } from "../../src/scan/model/reasons.ts";
import { type HostResult, STATE_CODE } from "../../src/scan/model/results.ts";
import { cleanBanner, shownPorts } from "../../src/scan/output/document.ts";
import { summaryLine, textReport } from "../../src/scan/output/report.ts";
import { addressBytes } from "../../src/scan/targets/target.ts";

const { open: OPEN, closed: CLOSED, filtered: FILTERED } = STATE_CODE;

function result(states: Record<number, number>, interrupted = false): HostResult {
  const ports = Object.keys(states)
    .map(Number)
    .sort((a, b) => a - b);
  const arr = Uint8Array.from(ports.map((p) => states[p] as number));
  return {
    target: {
      name: "localhost",
      address: "127.0.0.1",
      family: 4,
      bytes: addressBytes("127.0.0.1"),
      scopeId: 0,
      otherAddresses: ["::1"],
    },
    hostIndex: 0,
    status: "up",
    reason: null,
    ports,
    states: arr,
    reasons: new Uint8Array(arr.length),
    allOpen: null,
    discovery: ["scan-ports"],
    counts: countStates(arr),
    banners: new Map([[22, "SSH-2.0-x\r\nmore"]]),
    startedAt: new Date(0),
    elapsedMs: 500,
    interrupted,
    timing: { srttMs: 0.1, rttvarMs: 0.05, timeoutMs: 100, samples: 3 },
  };
}

const services = new Map([[22, "ssh"]]);

test("cleanBanner keeps the first line, escapes control characters, caps the length", () => {
  expect(cleanBanner("SSH-2.0-OpenSSH_9.6\r\n")).toBe("SSH-2.0-OpenSSH_9.6");
  expect(cleanBanner("a\u0001b\u001b[31mc\nsecond line")).toBe("a\\x01b\\x1b[31mc");
  expect(cleanBanner("x".repeat(100), 10)).toBe("xxxxxxx...");
  expect(cleanBanner("caf\u00e9")).toBe("caf\u00e9");
});

test("shownPorts: every state not left out, by port, with its reason", () => {
  const r = result({ 22: OPEN, 80: CLOSED, 81: FILTERED, 443: OPEN });
  expect(shownPorts(r, services, ["closed", "filtered"])).toEqual([
    {
      port: 22,
      protocol: "tcp",
      state: "open",
      reason: "syn-ack",
      service: "ssh",
      banner: "SSH-2.0-x",
    },
    { port: 443, protocol: "tcp", state: "open", reason: "syn-ack", service: null },
  ]);
  // The engine's reason when it has one (81 met an ICMP host-unreachable), else the state's.
  r.reasons[2] = PORT_REASON_CODE["host-unreach"];
  expect(shownPorts(r, services, ["closed"]).map((p) => [p.port, p.reason])).toEqual([
    [22, "syn-ack"],
    [81, "host-unreach"],
    [443, "syn-ack"],
  ]);
});

test("text report and summary", () => {
  const r = result({ 22: OPEN, 80: CLOSED, 81: FILTERED });
  const text = textReport(r, { show: [], services });
  expect(text).toBe(
    [
      "tp-scan report for localhost (127.0.0.1)",
      "other addresses (not scanned): ::1",
      "PORT        STATE    SERVICE",
      "22/tcp      open     ssh             SSH-2.0-x",
      "3 ports scanned in 0.50 s (6 ports/s): 1 open, 1 closed, 1 filtered",
      "",
    ].join("\n"),
  );
  const partial = result({ 22: OPEN, 80: 0 }, true);
  expect(summaryLine(partial)).toBe(
    "interrupted: 1 of 2 ports scanned in 0.50 s (2 ports/s): 1 open, 0 closed, 0 filtered",
  );
});

test("a host that is down says so instead of a table", () => {
  const r = { ...result({ 22: 0, 80: 0 }), status: "down" as const, reason: "no-response" };
  expect(textReport(r, { show: [], services })).toBe(
    [
      "tp-scan report for localhost (127.0.0.1)",
      "other addresses (not scanned): ::1",
      "host down (no-response): 0 of 2 ports scanned in 0.50 s",
      "",
    ].join("\n"),
  );
});
