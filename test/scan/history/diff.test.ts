// The diff logic and the scan readers, without a network: snapshots read from nmap-format XML
// written here, and from tp-scan --jsonl lines.
import { describe, expect, test } from "bun:test";
import { diffScans } from "../../../src/scan/history/diff.ts";
import { diffExitCode, diffJsonl, diffText } from "../../../src/scan/history/diff-report.ts";
import { parseScanText } from "../../../src/scan/history/read-scan.ts";
import { readNmapXml } from "../../../src/scan/history/xml-read.ts";

const services = new Map([
  [22, "ssh"],
  [80, "http"],
]);

function nmapXml(hosts: string, scanner = 'scanner="nmap"', services = "1-1000"): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<!-- Nmap 7.95 scan <host> in a comment -->
<nmaprun ${scanner} args="nmap -sT" start="1765126953" version="7.95" xmloutputversion="1.05">
<scaninfo type="connect" protocol="tcp" numservices="1000" services="${services}"/>
${hosts}
<runstats><finished time="1765126954"/></runstats>
</nmaprun>
`;
}

function xmlHost(address: string, ports: string, status = "up"): string {
  return `<host starttime="1" endtime="2"><status state="${status}" reason="user-set"/>
<address addr="${address}" addrtype="ipv4"/><address addr="02:00:00:00:00:01" addrtype="mac"/>
<hostnames><hostname name="box&amp;co" type="PTR"/></hostnames>
<ports>${ports}</ports></host>`;
}

const port = (n: number, state: string, service?: string) =>
  `<port protocol="tcp" portid="${n}"><state state="${state}" reason="syn-ack"/>${service ? `<service name="${service}" method="table" conf="3"/>` : ""}</port>`;
const extra = (state: string, count: number, list: string) =>
  `<extraports state="${state}" count="${count}"><extrareasons reason="x" count="${count}" proto="tcp" ports="${list}"/></extraports>`;

describe("readNmapXml", () => {
  test("hosts, the IP address not the MAC, decoded names, listed ports, the one extraports state", () => {
    const scan = readNmapXml(
      "a.xml",
      nmapXml(
        xmlHost(
          "192.0.2.1",
          extra("closed", 998, "1-21,23-79,81-1000") +
            port(22, "open", "ssh") +
            port(80, "filtered"),
        ),
      ),
    );
    expect(scan.scanner).toBe("nmap");
    expect(scan.startedAt?.toISOString()).toBe("2025-12-07T17:02:33.000Z");
    expect(scan.scanned?.size).toBe(1000);
    const [host] = scan.hosts;
    expect(host?.address).toBe("192.0.2.1");
    expect(host?.name).toBe("box&co");
    expect(host?.otherPorts).toBe("closed");
    expect([...(host?.ports ?? [])]).toEqual([
      ["22/tcp", { state: "open", service: "ssh" }],
      ["80/tcp", { state: "filtered", service: null }],
    ]);
  });

  test("several extraports states: their ports are listed one by one, no common state", () => {
    const scan = readNmapXml(
      "a.xml",
      nmapXml(
        xmlHost("192.0.2.1", extra("closed", 2, "1-2") + extra("filtered", 1, "3")),
        'scanner="nmap"',
        "1-3",
      ),
    );
    const host = scan.hosts[0];
    expect(host?.otherPorts).toBeNull();
    expect(host?.ports.get("2/tcp")?.state).toBe("closed");
    expect(host?.ports.get("3/tcp")?.state).toBe("filtered");
  });

  test("tp-scan's own -oX is told apart by its profile name; a file without <nmaprun> is refused", () => {
    expect(readNmapXml("t.xml", nmapXml("", 'scanner="nmap" profile_name="tp-scan"')).scanner).toBe(
      "tp-scan",
    );
    expect(() => readNmapXml("x.xml", "<html><body/></html>")).toThrow(
      "x.xml: not an nmap -oX file",
    );
    expect(() => parseScanText("y.txt", "hello", services)).toThrow(
      "not a tp-scan --jsonl file nor an nmap -oX file",
    );
  });
});

describe("diffScans", () => {
  const scanOf = (name: string, hosts: string[]) => readNmapXml(name, nmapXml(hosts.join("\n")));
  const old = scanOf("old.xml", [
    xmlHost(
      "192.0.2.1",
      extra("closed", 997, "x") +
        port(22, "open", "ssh") +
        port(80, "open", "http") +
        port(443, "open", "https"),
    ),
    xmlHost("192.0.2.2", extra("closed", 999, "x") + port(25, "open", "smtp")),
    xmlHost("192.0.2.4", extra("closed", 1000, "x"), "down"),
  ]);
  const next = scanOf("new.xml", [
    xmlHost(
      "192.0.2.1",
      extra("closed", 996, "x") +
        port(22, "open", "ssh") +
        port(80, "open", "www") +
        port(443, "filtered") +
        port(81, "open", "hosts2-ns") +
        port(1001, "open"),
    ),
    xmlHost("192.0.2.3", extra("closed", 999, "x") + port(53, "open", "domain")),
    xmlHost("192.0.2.4", extra("closed", 999, "x") + port(21, "open", "ftp")),
  ]);

  test("appeared, vanished, opened, closed, changed service; a port outside a plan is not compared", () => {
    const diff = diffScans(old, next);
    expect(diff.changes.map((c) => [c.type, c.address, "port" in c ? c.port : ""])).toEqual([
      ["service-changed", "192.0.2.1", "80/tcp"],
      ["port-opened", "192.0.2.1", "81/tcp"],
      ["port-closed", "192.0.2.1", "443/tcp"],
      ["host-appeared", "192.0.2.3", ""],
      ["host-appeared", "192.0.2.4", ""],
      ["host-vanished", "192.0.2.2", ""],
    ]);
    expect(diff.counts).toEqual({
      hosts: 4,
      appeared: 2,
      vanished: 1,
      opened: 1,
      closed: 1,
      serviceChanged: 1,
    });
    expect(diffExitCode(diff)).toBe(1);
    const text = diffText(old, next, diff);
    expect(text).toContain("- 192.0.2.1 443/tcp filtered (was open https)");
    expect(text).toContain("+ 192.0.2.1 81/tcp open hosts2-ns (was closed)");
    expect(text).toContain("+ 192.0.2.3 (box&co) is up: 53/tcp domain");
    expect(text).toContain("- 192.0.2.2 (box&co) is gone (had 25/tcp smtp)");
  });

  test("a scan against itself: no change, exit 0, the jsonl summary says so", () => {
    const diff = diffScans(next, next);
    expect(diff.changes).toEqual([]);
    expect(diffExitCode(diff)).toBe(0);
    const lines = diffJsonl(next, next, diff)
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(["diff", "summary"]);
    expect(lines[1]).toMatchObject({ changes: 0, hosts: 3 });
  });

  test("services are not compared across scanners (their tables name ports differently)", () => {
    const tpScan = { ...old, scanner: "tp-scan" };
    expect(diffScans(tpScan, next).counts.serviceChanged).toBe(0);
  });
});

describe("tp-scan --jsonl as a snapshot", () => {
  const jsonl = (open: string, closed: string, status = "up") =>
    [
      {
        type: "scan",
        scanner: "tp-scan",
        version: "0.1.0",
        format: 1,
        startedAt: "2026-12-07T17:00:00.000Z",
        command: ["tp-scan"],
        identity: {
          targetSpecs: ["192.0.2.1"],
          excludeSpecs: [],
          portSpec: "20-25,80",
          excludePortSpec: "",
          seed: 1,
          shard: null,
        },
        ports: "20-25,80",
      },
      {
        type: "host",
        hostIndex: 0,
        host: "192.0.2.1",
        address: "192.0.2.1",
        family: "ipv4",
        otherAddresses: [],
        status,
        reason: null,
        interrupted: false,
        counts: { scanned: 7, open: 0, closed: 0, filtered: 0 },
        open,
        closed,
        filtered: "",
        startedAt: "2026-12-07T17:00:00.000Z",
        elapsedMs: 1,
        timing: { srttMs: 1, rttvarMs: 1, timeoutMs: 100 },
      },
    ]
      .map((l) => JSON.stringify(l))
      .join("\n");

  test("open ports named from the table; closed ones compared through the common state", () => {
    const a = parseScanText("a.jsonl", jsonl("22", "20-21,23-25,80"), services);
    const b = parseScanText("b.jsonl", jsonl("22,80", "20-21,23-25"), services);
    expect(a.hosts[0]?.otherPorts).toBe("closed");
    expect(a.hosts[0]?.ports.get("22/tcp")).toEqual({ state: "open", service: "ssh" });
    const diff = diffScans(a, b);
    expect(diff.changes).toEqual([
      { type: "port-opened", address: "192.0.2.1", port: "80/tcp", service: "http", was: "closed" },
    ]);
  });
});
