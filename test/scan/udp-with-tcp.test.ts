// -sU with -sT/-sS in one run: the two passes merged into one record per host, with `tcp`/`udp`
// on every port of every output (nmap's forms), and the real ./tp-scan doing it on loopback.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { TCPSocketListener, udp } from "bun";
import { STATE_CODE } from "../../src/scan/model/results.ts";
import { grepableHost } from "../../src/scan/output/grepable.ts";
import { hostLine } from "../../src/scan/output/jsonl.ts";
import { normalHost } from "../../src/scan/output/normal.ts";
import { textReport } from "../../src/scan/output/report.ts";
import { xmlHeader, xmlHost } from "../../src/scan/output/xml.ts";
import { mergeProtocols } from "../../src/scan/run/protocol-passes.ts";
import { scanSettings } from "../../src/scan/run/settings.ts";
import { runExe } from "../helpers/exe.ts";
import { makeHost, range, SERVICES } from "./output-fixtures.ts";

setDefaultTimeout(60_000);

/** TCP 1-40 with 22 open, UDP 1-40 with 53 open and 161 silent (open|filtered). */
function twoProtocolHost() {
  const tcp = makeHost(range(1, 40), { open: [22] });
  const udpPorts = [...range(1, 40), 161];
  const udp = { ...makeHost(udpPorts, { open: [39] }), protocol: "udp" as const };
  udp.states[udpPorts.length - 1] = STATE_CODE["open|filtered"];
  udp.counts = { scanned: 41, open: 1, closed: 39, filtered: 0, "open|filtered": 1 };
  udp.banners = new Map([[39, "udp says hi"]]);
  tcp.banners = new Map([[39, "never"]]);
  return mergeProtocols(tcp, udp, [...tcp.ports, ...udpPorts]);
}

describe("one host record of two protocols", () => {
  test("merge: TCP ports then UDP ones, counts summed, UDP banners kept apart", () => {
    const host = twoProtocolHost();
    expect(host.udpFrom).toBe(40);
    expect(host.ports.length).toBe(81);
    expect(host.counts).toEqual({
      scanned: 81,
      open: 2,
      closed: 78,
      filtered: 0,
      "open|filtered": 1,
    });
    const text = textReport(host, [], SERVICES);
    expect(text).toContain("22/tcp      open");
    expect(text).toMatch(/39\/udp +open +unknown +udp says hi/);
    expect(text).toContain("2 open, 78 closed, 0 filtered, 1 open|filtered");
    expect(text).not.toContain("39/tcp");
  });

  test("-oG: each port with its protocol, nmap's form", () => {
    const line = grepableHost(twoProtocolHost(), SERVICES, []);
    expect(line).toContain("22/open/tcp//ssh///, 39/open/udp/////, 161/open|filtered/udp/////");
    expect(line).toContain("Ignored State: closed (78)");
  });

  test("-oX: one <scaninfo> per protocol, extrareasons per protocol, port protocol", () => {
    const summary = {
      command: ["tp-scan"],
      startedAt: new Date(0),
      elapsedMs: 1,
      interrupted: false,
      settings: {},
    };
    const header = xmlHeader(summary, [
      { type: "syn", protocol: "tcp", ports: range(1, 40) },
      { type: "udp", protocol: "udp", ports: [53, 161] },
    ]);
    expect(header).toContain(
      '<scaninfo type="syn" protocol="tcp" numservices="40" services="1-40"/>\n<scaninfo type="udp" protocol="udp" numservices="2" services="53,161"/>',
    );
    const xml = xmlHost(twoProtocolHost(), SERVICES, []);
    expect(xml).toContain('<extraports state="closed" count="78">');
    expect(xml).toContain('<extrareasons reason="conn-refused" count="39" proto="tcp"');
    expect(xml).toContain('<extrareasons reason="port-unreach" count="39" proto="udp"');
    expect(xml).toContain('<port protocol="tcp" portid="22"><state state="open" reason="syn-ack"');
    expect(xml).toContain(
      '<port protocol="udp" portid="39"><state state="open" reason="udp-response"',
    );
  });

  test("-oN: Not shown per protocol", () => {
    const text = normalHost(twoProtocolHost(), SERVICES, []);
    expect(text).toContain(
      "Not shown: 39 closed tcp ports (conn-refused), 39 closed udp ports (port-unreach)",
    );
    expect(text).toContain("161/udp open|filtered");
  });

  test("--jsonl host line: the TCP states at the top, each protocol's in byProtocol", () => {
    const line = JSON.parse(hostLine(twoProtocolHost()));
    expect(line.protocol).toBe("tcp+udp");
    expect(line.open).toBe("22");
    expect(line.byProtocol.udp).toEqual({
      open: "39",
      closed: "1-38,40",
      filtered: "",
      "open|filtered": "161",
    });
    expect(line.byProtocol.tcp.closed).toBe("1-21,23-40");
  });

  test("a host the TCP pass called down has no UDP part", () => {
    const down = makeHost(range(1, 5), { status: "down" });
    const host = mergeProtocols(down, null, down.ports);
    expect(host.status).toBe("down");
    expect(host.udpFrom).toBe(5);
  });

  test("settings: --top-ports ranks each pass by its own protocol", () => {
    const flags = { _: ["127.0.0.1"], concurrency: "100", retries: "1" };
    const s = scanSettings({ ...flags, udp: true, "connect-scan": true, "top-ports": "3" });
    expect(s.probe.transport).toBe("connect");
    expect(s.ports).toEqual([23, 80, 443]);
    expect(s.udpPorts).toEqual([137, 161, 631]);
    expect(s.probe.discovery).toBe(true);
    const alone = scanSettings({ ...flags, udp: true });
    expect(alone.udpPorts).toBeNull();
    expect(alone.probe.transport).toBe("udp");
  });
});

const linux = process.platform === "linux";
const root = linux && process.getuid?.() === 0;

describe.skipIf(!linux)("tp-scan -sU -sT / -sU -sS on loopback", () => {
  let udpSocket: udp.Socket<"buffer">;
  let tcpServer: TCPSocketListener;
  let spec = "";
  beforeAll(async () => {
    udpSocket = await Bun.udpSocket({
      hostname: "127.0.0.1",
      socket: {
        data(s, data, port, addr) {
          s.send(data.subarray(0, 4), port, addr);
        },
      },
    });
    tcpServer = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    spec = `${udpSocket.port},${tcpServer.port},1-30`;
  });
  afterAll(() => {
    udpSocket.close();
    tcpServer.stop(true);
  });

  const cases = root ? ["-sT", "-sS"] : ["-sT"];
  for (const tcpFlag of cases) {
    test(`-sU ${tcpFlag}: one host record per output, each port with its protocol`, async () => {
      const g = await runExe("tp-scan", ["-sU", tcpFlag, "-p", spec, "-oG", "-", "127.0.0.1"]);
      expect(g.code).toBe(0);
      const lines = g.stdout.split("\n").filter((l) => l.includes("Ports:"));
      expect(lines.length).toBe(1);
      expect(lines[0]).toContain(`${tcpServer.port}/open/tcp//`);
      expect(lines[0]).toContain(`${udpSocket.port}/open/udp//`);
      // The TCP listener's port has no UDP socket, and the reverse.
      expect(lines[0]).not.toContain(`${tcpServer.port}/open/udp//`);
      expect(lines[0]).not.toContain(`${udpSocket.port}/open/tcp//`);
      const x = await runExe("tp-scan", ["-sU", tcpFlag, "-p", spec, "-oX", "-", "127.0.0.1"]);
      const type = tcpFlag === "-sS" ? "syn" : "connect";
      expect(x.stdout).toContain(`<scaninfo type="${type}" protocol="tcp" numservices="32"`);
      expect(x.stdout).toContain('<scaninfo type="udp" protocol="udp" numservices="32"');
      expect(x.stdout.match(/<host /g)?.length).toBe(1);
      const j = await runExe("tp-scan", ["-sU", tcpFlag, "-p", spec, "--jsonl", "127.0.0.1"]);
      const rows = j.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      const opened = rows.filter((r) => r.type === "port").map((r) => `${r.port}/${r.protocol}`);
      expect(opened.sort()).toEqual([`${tcpServer.port}/tcp`, `${udpSocket.port}/udp`].sort());
      const hosts = rows.filter((r) => r.type === "host");
      expect(hosts.length).toBe(1);
      expect(hosts[0].counts.scanned).toBe(64);
      expect(hosts[0].byProtocol.udp.open).toBe(String(udpSocket.port));
    });
  }

  test.skipIf(Bun.which("xmllint") === null)("-oX of both is valid against nmap.dtd", async () => {
    const dtd = "/usr/share/nmap/nmap.dtd";
    if (!(await Bun.file(dtd).exists())) return;
    const x = await runExe("tp-scan", ["-sU", "-sT", "-p", spec, "-oX", "-", "127.0.0.1"]);
    const check = Bun.spawnSync(["xmllint", "--noout", "--dtdvalid", dtd, "-"], {
      stdin: new TextEncoder().encode(x.stdout),
    });
    expect(check.stderr.toString()).toBe("");
    expect(check.exitCode).toBe(0);
  });
});
