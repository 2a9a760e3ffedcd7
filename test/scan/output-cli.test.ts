// ./tp-scan's outputs as a user gets them: files with nmap's flags, `-` for stdout, --jsonl,
// --list over several hosts, and nmap's own tools (xmllint with nmap.dtd, ndiff) reading ours.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand as runArgv } from "../../scripts/lib/run.ts";
import { runExe } from "../helpers/exe.ts";
import { type KnownPorts, knownPorts } from "../helpers/loopback-ports.ts";

setDefaultTimeout(60_000);

let ports: KnownPorts;
let open: number[] = [];
let closed: number[] = [];
let spec = "";
let dir = "";

beforeAll(async () => {
  ports = await knownPorts(3, 30);
  ({ open, closed, spec } = ports);
  dir = mkdtempSync(join(tmpdir(), `tp-scan-out-${process.pid}-`));
});
afterAll(() => {
  ports.stop();
  rmSync(dir, { recursive: true, force: true });
});

const DTD = "/usr/share/nmap/nmap.dtd";

test("-oA BASE writes every format; the terminal report is unchanged", async () => {
  const base = join(dir, "all");
  const r = await runExe("tp-scan", ["127.0.0.1", "-p", spec, "-oA", base]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^tp-scan report for 127\.0\.0\.1\n/);
  for (const ext of ["nmap", "gnmap", "xml", "json", "jsonl"])
    expect(existsSync(`${base}.${ext}`)).toBe(true);
  const gnmap = readFileSync(`${base}.gnmap`, "utf8");
  const listed = [...gnmap.matchAll(/(\d+)\/open\/tcp/g)].map((m) => Number(m[1]));
  expect(listed).toEqual(open);
  expect(gnmap).toContain(`Ignored State: closed (${closed.length})`);
  const lines = readFileSync(`${base}.jsonl`, "utf8")
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
  expect(lines.map((l) => l.type)).toEqual(["scan", "port", "port", "port", "host", "run"]);
  // Port lines come as each port is found (any order), before their host's line.
  const found = lines.filter((l) => l.type === "port").map((l) => l.port);
  expect(found.sort((x, y) => x - y)).toEqual(open);
  expect(JSON.parse(readFileSync(`${base}.json`, "utf8")).targets[0].counts.open).toBe(3);
  if (Bun.which("xmllint") && existsSync(DTD)) {
    const v = await runArgv(["xmllint", "--noout", "--dtdvalid", DTD, `${base}.xml`]);
    expect(v.stderr).toBe("");
    expect(v.code).toBe(0);
  }
  if (Bun.which("xsltproc") && existsSync("/usr/share/nmap/nmap.xsl")) {
    // nmap.xsl turns it into nmap's HTML report, with our open ports in it.
    const html = await runArgv(["xsltproc", `${base}.xml`]);
    expect(html.code).toBe(0);
    for (const p of open) expect(html.stdout).toContain(`>${p}<`);
  }
});

test("-oX - sends the XML to stdout instead of the report; two stdout outputs are refused", async () => {
  const r = await runExe("tp-scan", ["127.0.0.1", "-p", spec, "-oX", "-"]);
  expect(r.code).toBe(0);
  expect(r.stdout.startsWith('<?xml version="1.0"')).toBe(true);
  expect(r.stdout).not.toContain("tp-scan report for");
  expect(r.stdout.trimEnd().endsWith("</nmaprun>")).toBe(true);
  const both = await runExe("tp-scan", ["127.0.0.1", "-p", spec, "-oX", "-", "--jsonl"]);
  expect(both.code).toBe(2);
  expect(both.stderr).toMatch(/--jsonl and -oX - cannot be combined: both write to stdout/);
});

test("--jsonl: one object a line, the port lines before their host line, the run last", async () => {
  const r = await runExe("tp-scan", ["127.0.0.1", "127.0.0.2", "-p", spec, "--jsonl"]);
  expect(r.code).toBe(0);
  const lines = r.stdout
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
  expect(lines[0]).toMatchObject({
    type: "scan",
    identity: { targetSpecs: ["127.0.0.1", "127.0.0.2"] },
  });
  expect(lines.at(-1)).toMatchObject({
    type: "run",
    hosts: { total: 2, up: 2 },
    interrupted: false,
  });
  const hosts = lines.filter((l) => l.type === "host");
  // Hosts finish in any order; hostIndex says which is which.
  expect(hosts.map((h) => h.hostIndex).sort()).toEqual([0, 1]);
  expect(hosts.find((h) => h.hostIndex === 0).open).toBe(open.join(","));
});

test("--list over several hosts labels each line; a host with nothing open prints nothing", async () => {
  const r = await runExe("tp-scan", ["127.0.0.1", "127.0.0.2", "-p", spec, "--list"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(`127.0.0.1 ${open.join(",")}\n`);
  const none = await runExe("tp-scan", ["127.0.0.2", "-p", closed.join(","), "--list"]);
  expect(none.stdout).toBe("");
});

const haveNmapTools = Boolean(Bun.which("nmap") && Bun.which("ndiff"));

test.skipIf(!haveNmapTools)(
  "ndiff between nmap's -oX and ours shows no port in a different state (needs nmap, ndiff)",
  async () => {
    const ours = join(dir, "ours.xml");
    const theirs = join(dir, "nmap.xml");
    const a = await runExe("tp-scan", ["127.0.0.1", "-p", spec, "-oX", ours]);
    expect(a.code).toBe(0);
    const b = await runArgv(["nmap", "-sT", "-n", "-Pn", "-p", spec, "-oX", theirs, "127.0.0.1"]);
    expect(b.code).toBe(0);
    const d = await runArgv(["ndiff", theirs, ours]);
    expect(d.stderr).toBe("");
    // Service names may differ (nmap-services vs /etc/services); states and ports may not.
    const rows = new Map<string, string[]>();
    for (const m of d.stdout.matchAll(/^([-+])(\d+\/tcp)\s+(\S+)/gm)) {
      rows.set(m[2] as string, [...(rows.get(m[2] as string) ?? []), `${m[1]}${m[3]}`]);
    }
    for (const [port, states] of rows) {
      const before = states[0] ?? "";
      expect({ port, states }).toEqual({ port, states: [before, `+${before.slice(1)}`] });
    }
    expect(d.stdout).not.toMatch(/^[-+]Not shown/m);
    expect(d.stdout).not.toMatch(/^[-+]Host is/m);
  },
);
