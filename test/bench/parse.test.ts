import { describe, expect, test } from "bun:test";
import {
  diffPorts,
  parseBotSummary,
  parseNmapElapsed,
  parseNmapGrepable,
  parseProcStatTicks,
  parseScanJsonStates,
  parseScanJsonTimeout,
  parseStatusKb,
  scoreStates,
} from "../../bench/lib/parse.ts";

describe("nmap grepable output", () => {
  const out = [
    "# Nmap 7.93 scan initiated Wed Nov 25 22:24:12 2026 as: nmap -sT -T4 -n -Pn --open -p 1-65535 -oG - 127.0.0.1",
    "Host: 127.0.0.1 ()\tStatus: Up",
    "Host: 127.0.0.1 ()\tPorts: 22/open/tcp//ssh///, 631/open/tcp//ipp///, 8080/closed/tcp//http-proxy///, 40001/open/tcp/////\tIgnored State: closed (65531)",
    "# Nmap done at Wed Nov 25 22:24:14 2026 -- 1 IP address (1 host up) scanned in 1.63 seconds",
  ].join("\n");
  test("open TCP ports only, sorted", () => {
    expect(parseNmapGrepable(out)).toEqual([22, 631, 40001]);
  });
  test("no Ports line means nothing open", () => {
    expect(parseNmapGrepable("Host: 127.0.0.1 ()\tStatus: Up\n")).toEqual([]);
  });
  test("elapsed time", () => {
    expect(parseNmapElapsed(out)).toBeCloseTo(1630, 6);
    expect(parseNmapElapsed("nothing")).toBeNull();
  });
});

describe("/proc parsing", () => {
  test("utime + stime even when the command name holds spaces and parens", () => {
    const stat =
      "4242 (my (odd) prog) S 1 4242 4242 0 -1 4194560 1200 0 0 0 731 269 0 0 20 0 4 0 123 456 789";
    expect(parseProcStatTicks(stat)).toBe(1000);
  });
  test("garbage is refused", () => {
    expect(() => parseProcStatTicks("nonsense")).toThrow();
  });
  test("status kB fields", () => {
    const status = "Name:\ttp-echo\nVmHWM:\t   61234 kB\nVmRSS:\t   52468 kB\n";
    expect(parseStatusKb(status, "VmRSS")).toBe(52468);
    expect(parseStatusKb(status, "VmHWM")).toBe(61234);
    expect(parseStatusKb(status, "VmSwap")).toBeNull();
  });
});

describe("diffPorts", () => {
  test("missed and extra ports", () => {
    expect(diffPorts([22, 80, 443], [22, 443, 8080])).toEqual({ missed: [8080], extra: [80] });
    expect(diffPorts([], [])).toEqual({ missed: [], extra: [] });
  });
});

describe("tp-guess bot summary", () => {
  test("the three summary lines", () => {
    const out =
      "games 200, wins 199, failures 1\nguesses: mean 18.91, worst 20, bound 20 (floor(log2 max)+1)\ntime 0.41 s, 487.8 games/s\n";
    expect(parseBotSummary(out)).toEqual({
      games: 200,
      wins: 199,
      meanGuesses: 18.91,
      worstGuesses: 20,
      bound: 20,
      gamesPerSec: 487.8,
    });
  });
  test("without a rate the rest still reads; garbage gives null", () => {
    expect(parseBotSummary("games 5, wins 5\nmean 2.00, worst 3, bound 4")?.gamesPerSec).toBeNull();
    expect(parseBotSummary("won in 20 guesses")).toBeNull();
  });
});

describe("tp-scan --json and scoring", () => {
  const doc = JSON.stringify({
    scanner: "tp-scan",
    targets: [
      {
        target: "127.0.0.1",
        ports: [
          { port: 10, state: "open", service: null },
          { port: 11, state: "closed" },
          { port: 12, state: "filtered" },
          { port: 13, state: "filtered" },
        ],
        timing: { timeoutMs: 42.5 },
      },
    ],
  });
  test("states and the settled timeout", () => {
    const states = parseScanJsonStates(doc);
    expect([...states.entries()]).toEqual([
      [10, "open"],
      [11, "closed"],
      [12, "filtered"],
      [13, "filtered"],
    ]);
    expect(parseScanJsonTimeout(doc)).toBe(42.5);
    expect(parseScanJsonTimeout("{}")).toBeNull();
  });
  test("accuracy counts wrong and unreported ports against the scan", () => {
    // Truth: 10 open, 11-12 closed, 13-14 filtered. 12 wrongly filtered, 14 not reported.
    const truth = (p: number) =>
      (p === 10 ? "open" : p <= 12 ? "closed" : "filtered") as "open" | "closed" | "filtered";
    const score = scoreStates(parseScanJsonStates(doc), 10, 14, truth);
    expect(score).toEqual({ open: 1, closed: 1, filtered: 2, accuracy: 3 / 5 });
  });
});
