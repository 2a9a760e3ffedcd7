// Each file format from hand-built HostResults: nmap's line forms, exact port ranges, the DTD.
import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PORT_REASON_CODE } from "../../src/scan/model/reasons.ts";
import type { HostResult } from "../../src/scan/model/results.ts";
import { ignoredStates } from "../../src/scan/output/document.ts";
import { grepableReport } from "../../src/scan/output/grepable.ts";
import { jsonWriter } from "../../src/scan/output/json.ts";
import { hostLine, portLine } from "../../src/scan/output/jsonl.ts";
import { listLines } from "../../src/scan/output/list.ts";
import { normalReport } from "../../src/scan/output/normal.ts";
import { xmlReport } from "../../src/scan/output/xml.ts";
import { parsePortSpec } from "../../src/scan/ports/port-spec.ts";
import { input, makeHost, range, SERVICES } from "./output-fixtures.ts";

const PORTS = range(1, 100);

test("grepable: nmap's Host/Status and Host/Ports lines, with the largest folded state", () => {
  const host = makeHost(PORTS, { open: [22, 80], filtered: [5, 6], name: "localhost" });
  const lines = grepableReport(input([host])).split("\n");
  expect(lines[0]).toMatch(
    /^# tp-scan \S+ scan initiated \w{3} \w{3} \d\d \d\d:\d\d:\d\d 2026 as: tp-scan 127\.0\.0\.1 -p 1-100$/,
  );
  expect(lines[1]).toBe("Host: 127.0.0.1 (localhost)\tStatus: Up");
  expect(lines[2]).toBe(
    "Host: 127.0.0.1 (localhost)\tPorts: 5/filtered/tcp/////, 6/filtered/tcp/////, 22/open/tcp//ssh///, 80/open/tcp//http///\tIgnored State: closed (96)",
  );
  expect(lines[3]).toMatch(
    /^# tp-scan done at .* -- 1 IP address \(1 host up\) scanned in 2\.00 seconds$/,
  );
});

test("grepable: a down host has a Status line only; --show lists the state it names", () => {
  const down = makeHost(PORTS, { address: "127.0.0.9", status: "down" });
  expect(grepableReport(input([down]))).toContain("Host: 127.0.0.9 ()\tStatus: Down\n#");
  const shown = grepableReport(input([makeHost(range(1, 30), { open: [22] })], ["closed"]));
  expect(shown).toContain("1/closed/tcp/////, 2/closed/tcp/////");
  expect(shown).not.toContain("Ignored State");
});

test("nmap's folding rule: a state is folded above 25 ports, never open", () => {
  expect(ignoredStates(makeHost(range(1, 25)), [])).toEqual([]);
  expect(ignoredStates(makeHost(range(1, 26)), [])).toEqual(["closed"]);
  const mixed = makeHost(range(1, 100), { filtered: range(1, 60), open: range(61, 100) });
  expect(ignoredStates(mixed, [])).toEqual(["filtered"]);
  const both = makeHost(range(1, 100), { filtered: range(1, 40) });
  expect(ignoredStates(both, [])).toEqual(["closed", "filtered"]);
  expect(ignoredStates(both, ["filtered"])).toEqual(["closed"]);
});

test("normal: report line, latency, Not shown, aligned table, banner as nmap's script line", () => {
  const host = makeHost(PORTS, { open: [22, 80], banners: [[22, "SSH-2.0-x\r\n"]] });
  const text = normalReport(input([host]));
  expect(text).toContain(
    [
      "Nmap scan report for 127.0.0.1",
      "Host is up (0.000084s latency).",
      "Not shown: 98 closed tcp ports (conn-refused)",
      "PORT   STATE SERVICE",
      "22/tcp open  ssh",
      "|_banner: SSH-2.0-x",
      "80/tcp open  http",
      "",
    ].join("\n"),
  );
  const empty = normalReport(input([makeHost(PORTS, { filtered: range(1, 40) })]));
  expect(empty).toContain("All 100 scanned ports on 127.0.0.1 are in ignored states.");
  expect(empty).toContain(
    "Not shown: 60 closed tcp ports (conn-refused), 40 filtered tcp ports (no-response)",
  );
});

test("jsonl: a host line's ranges give back every state exactly, unprobed ports in none", () => {
  const ports = range(1, 2000);
  const open = [3, 4, 5, 999, 1500];
  const filtered = range(100, 300);
  const unknown = range(1700, 1800);
  const host = makeHost(ports, { open, filtered, unknown, hostIndex: 4 });
  const line = JSON.parse(hostLine(host));
  expect(line).toMatchObject({ type: "host", hostIndex: 4, status: "up", open: "3-5,999,1500" });
  const open2 = parsePortSpec(line.open);
  const filtered2 = parsePortSpec(line.filtered);
  const closed2 = parsePortSpec(line.closed);
  expect(open2).toEqual(open);
  expect(filtered2).toEqual(filtered);
  expect(closed2.length).toBe(2000 - open.length - filtered.length - unknown.length);
  expect(closed2.some((p) => unknown.includes(p) || open.includes(p))).toBe(false);
  expect(hostLine(host).endsWith("}\n")).toBe(true);
  expect(hostLine(host).split("\n").length).toBe(2);
});

test("jsonl: a port line carries host, address, service and banner", () => {
  const host = makeHost(PORTS, { name: "box" });
  const line = JSON.parse(
    portLine(
      host.target,
      2,
      { port: 22, protocol: "tcp", state: "open", reason: "syn-ack", service: null, banner: "hi" },
      SERVICES,
    ),
  );
  expect(line).toEqual({
    type: "port",
    hostIndex: 2,
    host: "box",
    address: "127.0.0.1",
    port: 22,
    protocol: "tcp",
    state: "open",
    reason: "syn-ack",
    service: "ssh",
    banner: "hi",
  });
});

/** The JSON document as the -oJ/--json sink writes it: head, a target per host, tail. */
function jsonText(hosts: HostResult[]): string {
  const { summary, ...ctx } = input(hosts);
  const doc = jsonWriter({ ...ctx, banners: false });
  return doc.head(summary) + hosts.map((h) => doc.target(h)).join("") + doc.tail(summary);
}

test("json: the document lists shown ports per target with counts and identity", () => {
  const text = jsonText([makeHost(PORTS, { open: [80] })]);
  const doc = JSON.parse(text);
  expect(doc.scan.seed).toBe(7);
  expect(doc.targets[0].ports).toEqual([
    { port: 80, protocol: "tcp", state: "open", reason: "syn-ack", service: "http" },
  ]);
  expect(doc.targets[0].counts).toEqual({ scanned: 100, open: 1, closed: 99, filtered: 0 });
  expect(doc.stats).toBeNull();
});

test("json: written host by host in hostIndex order, the text JSON.stringify's own", () => {
  const orders = [[], [0], [2, 0, 1], [1, 3, 0], [4, 3, 2, 1, 0]];
  for (const order of orders) {
    const hosts = order.map((i) => makeHost(PORTS, { hostIndex: i, open: [i + 1] }));
    const text = jsonText(hosts);
    const doc = JSON.parse(text);
    expect(`${JSON.stringify(doc, null, 2)}\n`).toBe(text);
    const sorted = [...order].sort((a, b) => a - b);
    expect(doc.targets.map((t: { hostIndex: number }) => t.hostIndex)).toEqual(sorted);
  }
});

test("json: a host done early waits only for the earlier ones", () => {
  const { summary, ...ctx } = input([]);
  const doc = jsonWriter({ ...ctx, banners: false });
  doc.head(summary);
  expect(doc.target(makeHost(PORTS, { hostIndex: 1 }))).toBe("");
  const both = doc.target(makeHost(PORTS, { hostIndex: 0 }));
  expect(both.match(/"hostIndex"/g)).toHaveLength(2);
  expect(doc.target(makeHost(PORTS, { hostIndex: 2 }))).toContain('"hostIndex": 2');
});

test("list: bare ports for one host, labelled lines for several, nothing without open ports", () => {
  expect(listLines(makeHost(PORTS, { open: [22, 80] }), false)).toBe("22,80\n");
  expect(listLines(makeHost(PORTS, { open: [22], address: "::1" }), true)).toBe("::1 22\n");
  expect(listLines(makeHost(PORTS), true)).toBe("");
  expect(listLines(makeHost(PORTS), false)).toBe("");
});

const DTD = "/usr/share/nmap/nmap.dtd";
const xmllint = Bun.which("xmllint");

test.skipIf(!xmllint || !existsSync(DTD))(
  "xml: valid against nmap.dtd with odd names, banners, IPv6, down hosts and every state (needs xmllint, nmap)",
  async () => {
    const hosts = [
      makeHost(PORTS, {
        name: 'a"b<c>&d',
        open: [22, 80],
        filtered: range(30, 70),
        banners: [[22, "<x> & \u0001\u0007 'y' \"z\" --"]],
      }),
      makeHost(PORTS, { address: "::1", open: [443], hostIndex: 1 }),
      makeHost(PORTS, { address: "127.0.0.9", status: "down", hostIndex: 2 }),
      makeHost(range(1, 10), { open: [1], filtered: [2], hostIndex: 3 }),
      // Filtered for two reasons (silence, ICMP host-prohibited), and a host that accepts all.
      makeHost(PORTS, {
        hostIndex: 4,
        filtered: range(30, 70),
        reasons: range(30, 39).map((p) => [p, PORT_REASON_CODE["host-unreach"]]),
      }),
      makeHost(PORTS, { hostIndex: 5, open: range(1, 100), allOpen: "closed-ports-accept" }),
    ];
    const doc = xmlReport(input(hosts, ["closed"]));
    const dir = mkdtempSync(join(tmpdir(), `tp-out-${process.pid}-`));
    try {
      const file = join(dir, "scan.xml");
      writeFileSync(file, doc);
      const proc = Bun.spawn([xmllint as string, "--noout", "--dtdvalid", DTD, file], {
        stderr: "pipe",
      });
      const err = await new Response(proc.stderr).text();
      expect(err).toBe("");
      expect(await proc.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(doc).toContain('<extraports state="filtered" count="41">');
    expect(doc).toContain('<port protocol="tcp" portid="1"><state state="closed"');
    expect(doc).toContain('<address addr="::1" addrtype="ipv6"/>');
    expect(doc).toContain('<status state="down" reason="no-response"');
    expect(doc).toContain(
      '<extrareasons reason="no-response" count="31" proto="tcp" ports="40-70"/>\n' +
        '<extrareasons reason="host-unreach" count="10" proto="tcp" ports="30-39"/>',
    );
    expect(doc).toMatch(
      /<hostscript><script id="all-open" output="all ports answer open \(closed-ports-accept\)/,
    );
  },
);
