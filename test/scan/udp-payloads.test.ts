import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { NMAP_PAYLOADS, parseNmapPayloads } from "../../src/scan/ports/nmap-payloads.ts";
import {
  embeddedRanking,
  loadPortRanking,
  NMAP_SERVICES,
  rankPorts,
} from "../../src/scan/ports/top-ports.ts";
import {
  EMBEDDED_PAYLOADS,
  embeddedPayloads,
  loadPayloads,
} from "../../src/scan/ports/udp-payloads.ts";
import { UsageError } from "../../src/shared/errors.ts";

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");

const SAMPLE = [
  "# header comment",
  "",
  "# Echo",
  'udp 7 "\\x0D\\x0A"',
  "# Two lines, a range and a list",
  "udp 53,69,100-102",
  '  "a\\x00b"   # a comment with a "quote" inside',
  '  "\\r\\n\\t\\\\\\"\\0z"',
  "source 5678",
  "# unknown keyword skipped with its line",
  'udp 9 "x" future 1 2 "ignored"',
  'udp 10 "y"',
].join("\n");

describe("nmap-payloads parser", () => {
  const entries = parseNmapPayloads(SAMPLE);

  test("entries, ports expanded, multi-line strings joined, escapes decoded", () => {
    expect(entries.map((e) => e.ports)).toEqual([[7], [53, 69, 100, 101, 102], [9], [10]]);
    expect(text(entries[0]?.payload as Uint8Array)).toBe("\r\n");
    expect(text(entries[1]?.payload as Uint8Array)).toBe('a\x00b\r\n\t\\"\x00z');
    expect(entries[1]?.sourcePort).toBe(5678);
    expect(entries[0]?.sourcePort).toBeNull();
  });

  test("an unknown keyword's line is skipped, the next entry still read", () => {
    expect(text(entries[2]?.payload as Uint8Array)).toBe("x");
    expect(text(entries[3]?.payload as Uint8Array)).toBe("y");
  });

  test("names (the comment above) and lines", () => {
    expect(entries.map((e) => [e.name, e.line])).toEqual([
      ["Echo", 4],
      ["Two lines, a range and a list", 6],
      ["unknown keyword skipped with its line", 11],
      ["", 12],
    ]);
  });

  test.each([
    ['tcp 7 "x"', 'line 1: expected "udp"'],
    ["udp 7", "line 1: expected a quoted payload"],
    ['udp 7-3 "x"', 'bad port list "7-3"'],
    ['udp 70000 "x"', 'bad port list "70000"'],
    ['udp 7 "x', "line 1: unterminated string"],
  ])("%s is an error naming the line", (input, message) => {
    expect(() => parseNmapPayloads(input)).toThrow(UsageError);
    expect(() => parseNmapPayloads(input)).toThrow(message);
  });

  test.skipIf(!existsSync(NMAP_PAYLOADS))("nmap's own file: every entry, known payloads", () => {
    const file = readFileSync(NMAP_PAYLOADS, "utf8");
    const parsed = parseNmapPayloads(file);
    expect(parsed.length).toBe(file.split("\n").filter((l) => l.startsWith("udp ")).length);
    const set = loadPayloads();
    expect(set.source).toBe(NMAP_PAYLOADS);
    expect(text((set.byPort[1900] as Uint8Array[])[0] as Uint8Array)).toStartWith("M-SEARCH * ");
    // "udp 111,2049,4045,32768-65535": the range reaches the last port.
    expect(set.byPort[65535]?.length).toBe(1);
    expect(set.byPort[500]?.length).toBe(2);
    expect(parsed.find((e) => e.ports.includes(500))?.sourcePort).toBe(500);
  });
});

describe("embedded payloads", () => {
  const set = embeddedPayloads();
  const one = (port: number, index = 0) => (set.byPort[port] as Uint8Array[])[index] as Uint8Array;

  test("the top services have one, syslog and unlisted ports none", () => {
    for (const port of [53, 69, 111, 123, 137, 161, 500, 1900, 5353])
      expect(set.byPort[port]?.length).toBeGreaterThan(0);
    expect(set.byPort[514]).toBeUndefined();
    expect(set.byPort[9999]).toBeUndefined();
    expect(set.byPort[161]?.length).toBe(2); // SNMP v2c and v1
    expect(EMBEDDED_PAYLOADS.every((e) => /\((RFC|UPnP)/.test(e.from))).toBe(true);
  });

  test("lengths the protocols fix", () => {
    expect(one(123).length).toBe(48); // NTP header
    expect(one(123)[0]).toBe(0xe3); // LI 3, version 4, mode 3 (client)
    expect(one(111).length).toBe(40); // RPC call, AUTH_NULL, no arguments
    const ike = Buffer.from(one(500));
    expect(ike.readUInt32BE(24)).toBe(ike.length); // ISAKMP header length field
    expect(ike.readUInt16BE(28 + 2)).toBe(ike.length - 28); // SA payload length
  });

  test("SNMP: well-formed BER whose lengths add up, versions 1 (v2c) and 0 (v1)", () => {
    for (const [index, version] of [
      [0, 1],
      [1, 0],
    ] as const) {
      const snmp = one(161, index);
      expect(snmp[0]).toBe(0x30);
      expect(snmp[1]).toBe(snmp.length - 2);
      expect([...snmp.subarray(2, 5)]).toEqual([2, 1, version]);
      expect(text(snmp)).toContain("public");
    }
  });

  test("DNS-shaped queries: one question, the name's labels", () => {
    for (const port of [53, 5353, 137]) {
      const q = Buffer.from(one(port));
      expect(q.readUInt16BE(4)).toBe(1); // QDCOUNT
      expect(q.readUInt16BE(6) + q.readUInt16BE(8) + q.readUInt16BE(10)).toBe(0);
    }
    expect(text(one(53))).toContain("\x07version\x04bind\x00");
    expect(text(one(5353))).toContain("\x09_services\x07_dns-sd\x04_udp\x05local\x00");
  });

  test("no nmap-payloads: the embedded set", () => {
    expect(loadPayloads("/nonexistent/nmap-payloads").source).toBe("embedded");
  });
});

describe("UDP ranking (-sU --top-ports, -F)", () => {
  test("rankPorts reads one protocol", () => {
    const sample = "a\t80/tcp\t0.5\nb\t53/udp\t0.2\nc\t161/udp\t0.3\nd\t7/udp\t0\n";
    expect(rankPorts(sample, "udp")).toEqual([161, 53, 7]);
    expect(rankPorts(sample)).toEqual([80]);
  });

  test("the embedded UDP list: 1000 distinct ports, not the TCP list", () => {
    const udp = embeddedRanking("udp");
    expect(new Set(udp).size).toBe(1000);
    expect(udp.slice(0, 4)).not.toEqual(embeddedRanking("tcp").slice(0, 4));
  });

  test.skipIf(!existsSync(NMAP_SERVICES))("the embedded UDP list is nmap-services'", () => {
    const file = readFileSync(NMAP_SERVICES, "utf8");
    expect(embeddedRanking("udp")).toEqual(rankPorts(file, "udp").slice(0, 1000));
    expect(loadPortRanking(NMAP_SERVICES, "udp").ports.slice(0, 3)).toEqual([631, 161, 137]);
    expect(loadPortRanking("/nonexistent", "udp").source).toBe("embedded");
  });
});
