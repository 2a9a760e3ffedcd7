import { describe, expect, test } from "bun:test";
import { ECHO_TARGETS, renderEcho } from "../../bench/lib/echo-report.ts";
import { renderGuess } from "../../bench/lib/guess-report.ts";
import { renderMarkdown } from "../../bench/lib/report.ts";
import { renderSweep, SCAN_TARGETS, scanPanels } from "../../bench/lib/scan-report.ts";
import { evaluateTargets } from "../../bench/lib/section.ts";
import { summarize } from "../../bench/lib/stats.ts";
import type {
  BenchResults,
  EchoCaseSummary,
  EchoResults,
  EchoRun,
  ScanResults,
  ScanTool,
} from "../../bench/lib/types.ts";
import { SECTIONS } from "../../bench/run.ts";

function echoCase(
  server: string,
  clients: number,
  msgs: number[],
  rssKb = 50_000,
): EchoCaseSummary {
  const s = summarize;
  return {
    server,
    clients,
    depth: 1,
    runs: [],
    messagesPerSec: s(msgs),
    mbPerSec: s(msgs.map((m) => (m * 64) / 1e6)),
    p50Ms: s([1]),
    p99Ms: s([2]),
    loadgenCpu: s([0.6]),
    serverCpu: s([0.9]),
    serverUsPerMessage: s([20]),
    rssConnectedKb: s([rssKb]),
    rssPeakKb: s([rssKb + 1000]),
    errors: 0,
  };
}

function tool(name: string, wall: number[], exact: boolean | null, ours = false): ScanTool {
  return {
    name,
    ours,
    wallMs: summarize(wall),
    portsPerSec: summarize(wall.map((w) => 65535_000 / w)),
    exact,
    runs: wall.length,
    timedOut: 0,
    details: [],
  };
}

const echo: EchoResults = {
  notes: [],
  ours: "tp-echo",
  peers: ["node:net"],
  cases: [
    echoCase("tp-echo", 100, [60_000, 62_000, 58_000]),
    echoCase("node:net", 100, [38_000, 40_000, 39_000]),
    echoCase("tp-echo", 1000, [50_000], 160 * 1024),
  ],
};

const scan: ScanResults = {
  notes: [],
  cases: [
    {
      id: "loopback",
      title: "Full loopback range",
      ports: 65535,
      notes: [],
      tools: [
        tool("tp-scan", [1000, 1100, 900], true, true),
        tool("nmap -sT -T4", [2500], true),
        tool("nmap -sT -T5", [1600, 1500, 1700], true),
      ],
    },
    {
      id: "lab-mixed",
      title: "Lab mixed",
      ports: 2010,
      notes: [],
      tools: [tool("tp-scan", [1200], false, true), tool("nmap -sT -T5", [2100], true)],
    },
  ],
  sweeps: [{ title: "Sweep", points: [], notes: [], skipped: "no lab" }],
};

describe("evaluateTargets", () => {
  const targets = evaluateTargets(SECTIONS, { echo, scan });
  const byName = (part: string) => targets.find((t) => t.name.includes(part));

  test("echo ratio at 100 clients uses medians", () => {
    const t = byName("100 clients");
    expect(t?.pass).toBe(true);
    expect(t?.measured).toContain("1.54x");
  });
  test("RSS uses the worst 1000-client figure and fails above 150 MB", () => {
    const t = byName("RSS");
    expect(t?.pass).toBe(false);
    expect(t?.measured).toBe("161.0 MB");
  });
  test("scan loopback ratio to nmap -T5 and exactness", () => {
    const t = byName("full loopback");
    expect(t?.measured).toContain("0.63x");
    expect(t?.pass).toBe(true);
  });
  test("a fast but inexact scan fails", () => {
    const t = byName("closed + filtered");
    expect(t?.pass).toBe(false);
    expect(t?.measured).toContain("NOT exact");
  });
  test("what was not measured is neither pass nor fail", () => {
    expect(byName("all filtered")?.pass).toBeNull();
    const none = evaluateTargets(SECTIONS, { echo: null, scan: null });
    expect(none.every((t) => t.pass === null)).toBe(true);
  });
});

function run(messagesPerSec: number): EchoRun {
  return {
    clients: 100,
    size: 64,
    depth: 1,
    windowMs: 2000,
    messages: messagesPerSec * 2,
    messagesPerSec,
    mbPerSec: 0,
    p50Ms: 1,
    p99Ms: 2,
    loadgenCpuMs: 1000,
    serverCpuMs: 1500,
    rssBeforeKb: null,
    rssConnectedKb: null,
    rssPeakKb: null,
    errors: 0,
    errorSamples: [],
  };
}

describe("rendering", () => {
  test("paired runs add the run-by-run ratio next to the ratio of medians", () => {
    const ours = { ...echoCase("tp-echo", 100, [20, 60, 40]), runs: [run(20), run(60), run(40)] };
    const peer = { ...echoCase("node:net", 100, [10, 40, 40]), runs: [run(10), run(40), run(40)] };
    const md = renderEcho({ notes: [], ours: "tp-echo", peers: ["node:net"], cases: [ours, peer] });
    expect(md).toContain("1.00x (run by run 1.50x)");
  });

  test("echo table shows the ratio to the peer on our rows", () => {
    const md = renderEcho(echo);
    const row = md.split("\n").find((l) => l.startsWith("| 100 | tp-echo"));
    expect(row).toContain("1.54x");
    expect(row).toContain("60,000 (58,000–62,000)");
  });
  test("the whole report names the machine and flags failures", () => {
    const results: BenchResults = {
      quick: false,
      machine: {
        date: "2026-11-25T23:00:00Z",
        cpuModel: "Test CPU",
        cores: 2,
        kernel: "6.1",
        bun: "1.4.5",
        node: "v20",
        nmap: null,
        loadAvg: [0.5, 0.4, 0.3],
        root: true,
      },
      durationMs: 1000,
      sections: {
        echo,
        guess: { skipped: "./tp-guess is not built", notes: [], cases: [] },
        scan,
      },
      targets: evaluateTargets(SECTIONS, { echo, scan }),
    };
    const md = renderMarkdown(results, SECTIONS);
    expect(md).toContain("2 cores (Test CPU), Linux 6.1, Bun 1.4.5, Node.js v20, no nmap");
    expect(md).toContain("**FAIL**");
    expect(md).toContain("_Skipped: ./tp-guess is not built._");
  });
  test("guess table compares guesses with the bound and names a saturated bot", () => {
    const md = renderGuess({
      notes: [],
      cases: [
        {
          max: "1000000",
          bound: 20,
          games: 2000,
          parallel: 50,
          gamesPerSec: summarize([1000, 1100, 900]),
          meanGuesses: summarize([18.9]),
          worstGuesses: 20,
          wins: 6000,
          played: 6000,
          botCpu: summarize([0.99]),
          serverCpu: summarize([0.7]),
          rawSamples: [],
        },
      ],
    });
    expect(md).toContain(
      "| 1000000 | 2000 | 50 | 1,000 (900–1,100) | 18.90 | 20 | 20 | 6000/6000 | 99% | 70% |",
    );
    expect(md).toContain("the bot, not the server, set this games/s");
  });
  test("scan panels carry the target line at 0.7x nmap -T5 on loopback", () => {
    const panels = scanPanels(scan);
    expect(panels[0]?.target?.value).toBeCloseTo(1120, 6);
    expect(panels[0]?.bars.find((b) => b.ours)?.value).toBe(1000);
    expect(panels[1]?.bars[0]?.note).toBe("NOT exact");
  });
  test("sweep grid: concurrency rows, timeout columns", () => {
    const md = renderSweep({
      title: "Sweep",
      notes: [],
      points: [
        {
          concurrency: 100,
          timeoutMs: 5,
          settledTimeoutMs: 5,
          wallMs: 300,
          open: 5,
          closed: 1000,
          filtered: 1000,
          accuracy: 1,
        },
        {
          concurrency: 5000,
          timeoutMs: 5,
          settledTimeoutMs: 5,
          wallMs: 100,
          open: 2,
          closed: 700,
          filtered: 1303,
          accuracy: 0.85,
        },
      ],
      expected: { open: 5, closed: 1000, filtered: 1000 },
    });
    expect(md).not.toContain("adaptive");
    expect(md).toContain("| 100 | 100.0% · 0.300 s |");
    expect(md).toContain("| 5000 | 85.0% · 0.100 s |");
  });
  test("sweep adaptive column shows the timeout the estimator settled on", () => {
    const md = renderSweep({
      title: "Sweep",
      notes: [],
      points: [
        {
          concurrency: 500,
          timeoutMs: null,
          settledTimeoutMs: 12.5,
          wallMs: 900,
          open: 5,
          closed: 1005,
          filtered: 1000,
          accuracy: 1,
        },
      ],
    });
    expect(md).toContain("default (adaptive)");
    expect(md).toContain("| 500 | 100.0% · 0.900 s (settled 12.5 ms) |");
  });
});

describe("one table of targets", () => {
  test("every section has a unique name; every target says what it wants", () => {
    const names = SECTIONS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    const targets = SECTIONS.flatMap((s) => s.targets);
    expect(targets.length).toBeGreaterThanOrEqual(ECHO_TARGETS.length + SCAN_TARGETS.length);
    for (const t of targets) expect(t.wanted).toMatch(/\d/);
  });
  test("the chart's target lines come from the same goals as the verdicts", () => {
    const filtered: ScanResults = {
      ...scan,
      cases: [
        ...scan.cases,
        {
          id: "lab-filtered",
          title: "Lab all filtered",
          ports: 2001,
          notes: [],
          tools: [tool("tp-scan", [5200], true, true)],
        },
      ],
    };
    const panels = scanPanels(filtered);
    expect(panels[1]?.target?.value).toBeCloseTo(2100 * 0.5, 6);
    expect(panels[2]?.target).toEqual({ value: 5000, label: "target 5 s" });
    const verdicts = evaluateTargets(SECTIONS, { scan: filtered });
    const slow = verdicts.find((t) => t.name.includes("all filtered"));
    expect(slow).toMatchObject({ target: "< 5 s", measured: "5.20 s", pass: false });
  });
  test("each verdict names its section", () => {
    // One verdict per target, in table order, even for a section that did not run.
    const sections = evaluateTargets(SECTIONS, { echo, scan }).map((t) => t.section);
    expect(sections).toEqual(SECTIONS.flatMap((s) => s.targets.map(() => s.name)));
    expect(sections.slice(0, 5)).toEqual(["echo", "echo", "scan", "scan", "scan"]);
  });
});
