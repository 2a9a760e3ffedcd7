import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { formatPortRanges } from "../../src/scan/ports/port-spec.ts";
import { selectPorts } from "../../src/scan/ports/selection.ts";
import {
  embeddedRanking,
  loadPortRanking,
  NMAP_SERVICES,
  type PortRanking,
  rankPorts,
  topPorts,
} from "../../src/scan/ports/top-ports.ts";
import { UsageError } from "../../src/shared/errors.ts";

const hasNmap = existsSync(NMAP_SERVICES) && Bun.which("nmap") !== null;
const SAMPLE = [
  "# a comment line",
  "http\t80/tcp\t0.484143\t# World Wide Web HTTP",
  "http\t80/udp\t0.9",
  "telnet\t23/tcp\t0.221265",
  "https\t443/tcp\t0.208669",
  "tie-b\t9/tcp\t0.001",
  "tie-a\t7/tcp\t0.001",
  "never\t5/tcp\t0.000000",
  "broken line",
  "",
].join("\n");
const ranking: PortRanking = { ports: rankPorts(SAMPLE), source: "sample" };

describe("the ranking", () => {
  test("TCP only, by open frequency, ties by port, never-open ports last", () => {
    expect(rankPorts(SAMPLE)).toEqual([80, 23, 443, 7, 9, 5]);
  });

  test("the embedded list holds 1000 distinct ports and starts as nmap's does", () => {
    const ports = embeddedRanking();
    expect(ports.length).toBe(1000);
    expect(new Set(ports).size).toBe(1000);
    expect(ports.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535)).toBe(true);
  });

  test.skipIf(!existsSync(NMAP_SERVICES))("the embedded list is nmap-services' ranking", () => {
    expect(embeddedRanking()).toEqual(
      rankPorts(readFileSync(NMAP_SERVICES, "utf8")).slice(0, 1000),
    );
    expect(loadPortRanking().source).toBe(NMAP_SERVICES);
  });

  test("no nmap-services: the embedded ranking", () => {
    expect(loadPortRanking("/nonexistent/nmap-services")).toEqual({
      ports: embeddedRanking(),
      source: "embedded",
    });
  });

  // nmap itself says which ports --top-ports N means (loopback only: "Ports scanned" header).
  test.skipIf(!hasNmap)("the same ports as nmap's own --top-ports", async () => {
    const ours = loadPortRanking();
    for (const n of [100, 1000, 5000]) {
      const proc = Bun.spawn(
        ["nmap", "-v", "-sT", "-Pn", "-T5", "--top-ports", String(n), "-oG", "-", "127.0.0.1"],
        {
          stdout: "pipe",
          stderr: "ignore",
        },
      );
      const out = await new Response(proc.stdout).text();
      await proc.exited;
      const theirs = /TCP\(\d+;([^)]*)\)/.exec(out)?.[1];
      expect(formatPortRanges(topPorts(n, ours))).toBe(theirs ?? "(no Ports scanned line)");
    }
  });
});

describe("topPorts", () => {
  test("the first N accepted, ascending", () => {
    expect(topPorts(3, ranking)).toEqual([23, 80, 443]);
    expect(topPorts(2, ranking, (p) => p !== 80)).toEqual([23, 443]);
  });
  test("more than nmap's list: all of it; more than the embedded list: an error", () => {
    expect(topPorts(100, ranking)).toEqual([5, 7, 9, 23, 80, 443]);
    const embedded = { ports: embeddedRanking(), source: "embedded" };
    expect(topPorts(1000, embedded).length).toBe(1000);
    expect(() => topPorts(1001, embedded)).toThrow(UsageError);
    expect(() => topPorts(1001, embedded)).toThrow(/embedded ranking stops at 1000/);
  });
});

describe("selectPorts", () => {
  const sample = () => ranking;
  test("default: all 65535 ports", () => {
    const s = selectPorts({}, sample);
    expect(s.ports.length).toBe(65535);
    expect(s).toMatchObject({
      portSpec: "1-65535",
      topPorts: null,
      rankingSource: null,
      excludePortSpec: "",
    });
  });
  test("-F is the top 100, --top-ports N the top N", () => {
    const embedded = () => ({ ports: embeddedRanking(), source: "embedded" });
    const fast = selectPorts({ fast: true }, embedded);
    expect(fast.ports).toEqual(
      embeddedRanking()
        .slice(0, 100)
        .sort((a, b) => a - b),
    );
    expect(fast).toMatchObject({ topPorts: 100, rankingSource: "embedded" });
    expect(selectPorts({ topPorts: "2" }, sample).ports).toEqual([23, 80]);
  });
  test("--top-ports within -p, after --exclude-ports, as nmap does", () => {
    expect(selectPorts({ topPorts: "2", ports: "1-100" }, sample).ports).toEqual([23, 80]);
    expect(selectPorts({ topPorts: "2", ports: "100-1000" }, sample).ports).toEqual([443]);
    expect(selectPorts({ topPorts: "2", excludePorts: "80" }, sample).ports).toEqual([23, 443]);
  });
  test("--exclude-ports with -p and alone", () => {
    const s = selectPorts({ ports: "20-25", excludePorts: "21,23-24" }, sample);
    expect(s.ports).toEqual([20, 22, 25]);
    expect(s.excludePortSpec).toBe("21,23-24");
    expect(selectPorts({ excludePorts: "2-65535" }, sample).ports).toEqual([1]);
  });
  test.each([
    [{ fast: true, topPorts: "10" }, /-F and --top-ports cannot be combined/],
    [{ fast: true, ports: "80" }, /-F and -p cannot be combined/],
    [{ topPorts: "0" }, /--top-ports must be between 1 and 65535/],
    [{ topPorts: "ten" }, /--top-ports expects a whole number/],
    [{ excludePorts: "0" }, /--exclude-ports: port 0 is out of range/],
    [{ excludePorts: "x" }, /--exclude-ports: 'x' is not a port/],
    [{ ports: "80", excludePorts: "80" }, /no port left to scan/],
    [{ ports: "70000" }, /-p: port 70000 is out of range/],
  ])("rejects %p", (flags, message) => {
    expect(() => selectPorts(flags, sample)).toThrow(UsageError);
    expect(() => selectPorts(flags, sample)).toThrow(message);
  });
});
