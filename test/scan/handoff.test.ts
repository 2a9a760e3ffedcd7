// The hand-off to nmap: `tp-scan TARGETS -- NMAP-ARGS` runs nmap on each host's open ports.
// Loopback only: the test's own listeners on 127.0.0.1, nothing listening on 127.0.0.2.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { nmapArgv } from "../../src/scan/output/handoff.ts";
import { runExe } from "../helpers/exe.ts";
import { type KnownPorts, knownPorts } from "../helpers/loopback-ports.ts";
import { makeHost, range } from "./output-fixtures.ts";

setDefaultTimeout(60_000);

let ports: KnownPorts;
let open: number[] = [];
let spec = "";

beforeAll(async () => {
  ports = await knownPorts(2, 3);
  ({ open, spec } = ports);
});
afterAll(() => ports.stop());

test("nmapArgv: -p with the open ports, the user's words, then the address; -6 for IPv6", () => {
  const ports = range(1, 100);
  expect(nmapArgv("nmap", makeHost(ports, { open: [22, 80] }), ["-sV"])).toEqual([
    "nmap",
    "-p",
    "22,80",
    "-sV",
    "127.0.0.1",
  ]);
  expect(nmapArgv("nmap", makeHost(ports, { open: [22], address: "::1" }), [])).toEqual([
    "nmap",
    "-p",
    "22",
    "-6",
    "::1",
  ]);
  expect(nmapArgv("nmap", makeHost(ports), ["-sV"])).toBeNull();
});

test.skipIf(!Bun.which("nmap"))(
  "nmap runs on each host's open ports, and not on a host with nothing open (needs nmap)",
  async () => {
    const r = await runExe("tp-scan", [
      "127.0.0.1",
      "127.0.0.2",
      "-p",
      spec,
      "--",
      "-sT",
      "-Pn",
      "-n",
    ]);
    expect(r.code).toBe(0);
    const nmapReports = r.stdout.match(/^Nmap scan report for .*$/gm) ?? [];
    expect(nmapReports).toEqual(["Nmap scan report for 127.0.0.1"]);
    const nmapPart = r.stdout.slice(r.stdout.indexOf("Nmap scan report for"));
    const rows = [...nmapPart.matchAll(/^(\d+)\/tcp\s+(\S+)/gm)].map((m) => [Number(m[1]), m[2]]);
    // nmap was given exactly the open ports: it lists those, all open, and nothing else.
    expect(rows.sort()).toEqual(open.map((p) => [p, "open"]).sort());
    expect(r.stdout).toContain("tp-scan report for 127.0.0.2");
  },
);

test("a missing nmap is one line of error, before any scan", async () => {
  const r = await runExe("tp-scan", ["127.0.0.1", "-p", spec, "--", "-sV"], {
    env: { PATH: "/nonexistent" },
  });
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr).toBe(
    "tp-scan: error: nmap is not installed (needed after '--'; apt-get install nmap)\n",
  );
});

test("words after -- are nmap's: they are neither targets nor tp-scan flags", async () => {
  const r = await runExe("tp-scan", ["127.0.0.1", "-p", spec, "--list", "--", "--version"], {
    env: { PATH: "/nonexistent" },
  });
  // Not tp-scan's --version: the run reaches the hand-off check.
  expect(r.stderr).toMatch(/nmap is not installed/);
});
