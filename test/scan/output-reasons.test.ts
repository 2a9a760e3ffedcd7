// Reasons and the all-open mark in every output of a real ./tp-scan run on the loopback: --reason
// in text (nmap's REASON column), `reason` per port in JSON and JSONL, -oX reason attributes
// (valid against nmap.dtd), and a host whose every probed port accepts, marked everywhere.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TCPSocketListener } from "bun";
import { freePort } from "../../scripts/lib/net.ts";
import { runExe } from "../helpers/exe.ts";

setDefaultTimeout(60_000);

const dir = mkdtempSync(join(tmpdir(), "tp-scan-reasons-"));
const listeners: TCPSocketListener[] = [];
let open = 0;
let closed = 0;
/** A block of consecutive listening ports, for a host that looks like it accepts everything. */
let block = { start: 0, count: 0 };

const listen = (port: number) => Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });

/** `count` consecutive free ports, all listened on (other programs may hold some: move on). */
function listenBlock(count: number): { start: number; count: number } {
  for (let start = 20_000; start + count < 60_000; start += 997) {
    const held: TCPSocketListener[] = [];
    try {
      for (let p = start; p < start + count; p++) held.push(listen(p));
      listeners.push(...held);
      return { start, count };
    } catch {
      for (const l of held) l.stop(true);
    }
  }
  throw new Error(`no ${count} consecutive free ports on 127.0.0.1`);
}

beforeAll(async () => {
  const one = listen(0);
  listeners.push(one);
  open = one.port;
  closed = await freePort();
  // The all-open verdict: the first 200 settled ports all open with as many to go.
  block = listenBlock(250);
});
afterAll(() => {
  for (const l of listeners) l.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

test("--reason: a REASON column and why the host is up", async () => {
  const r = await runExe("tp-scan", [
    "127.0.0.1",
    "-p",
    `${open},${closed}`,
    "--reason",
    "--show",
    "closed",
  ]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^PORT\s+STATE\s+SERVICE\s+REASON$/m);
  expect(r.stdout).toMatch(new RegExp(`^${open}/tcp\\s+open\\s+\\S+\\s+syn-ack$`, "m"));
  expect(r.stdout).toMatch(new RegExp(`^${closed}/tcp\\s+closed\\s+\\S+\\s+conn-refused$`, "m"));
  expect(r.stdout).toMatch(/^host up, received (syn-ack|conn-refused)$/m);
  const plain = await runExe("tp-scan", ["127.0.0.1", "-p", `${open},${closed}`]);
  expect(plain.stdout).not.toContain("REASON");
});

test("reason per port in JSON and JSONL; -oX reason attributes valid against nmap.dtd", async () => {
  const base = join(dir, "r");
  const args = ["127.0.0.1", "-p", `${open},${closed}`, "--show", "closed", "-oA", base];
  const r = await runExe("tp-scan", [...args, "--json"]);
  expect(r.code).toBe(0);
  const reasons = (ports: Array<{ port: number; reason: string }>) =>
    Object.fromEntries(ports.map((p) => [p.port, p.reason]));
  const want = { [open]: "syn-ack", [closed]: "conn-refused" };
  expect(reasons(JSON.parse(r.stdout).targets[0].ports)).toEqual(want);
  const lines = readFileSync(`${base}.jsonl`, "utf8")
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
  expect(reasons(lines.filter((l) => l.type === "port"))).toEqual(want);
  const xml = readFileSync(`${base}.xml`, "utf8");
  expect(xml).toContain(`portid="${open}"><state state="open" reason="syn-ack"`);
  expect(xml).toContain(`portid="${closed}"><state state="closed" reason="conn-refused"`);
  expect(xml).toMatch(/<status state="up" reason="(syn-ack|conn-refused)"/);
  const xmllint = Bun.which("xmllint");
  const dtd = "/usr/share/nmap/nmap.dtd";
  if (!xmllint || !existsSync(dtd)) {
    console.warn("skipping the DTD check: needs xmllint and nmap's nmap.dtd");
    return;
  }
  const lint = Bun.spawnSync([xmllint, "--noout", "--dtdvalid", dtd, `${base}.xml`]);
  expect(lint.stderr.toString()).toBe("");
  expect(lint.exitCode).toBe(0);
});

test("a host whose every port accepts is marked in text, JSON, JSONL, -oN, -oG and -oX", async () => {
  const base = join(dir, "all-open");
  const ports = `${block.start}-${block.start + 2 * block.count}`;
  // One probe at a time, in order: the first 200 ports to settle are the listening block.
  const args = ["127.0.0.1", "-p", ports, "--ordered", "-c", "1", "-oA", base];
  const text = await runExe("tp-scan", args);
  expect(text.stdout).toMatch(/^warning: all ports answer open \(closed-ports-accept\)/m);
  const json = await runExe("tp-scan", [...args, "--json"]);
  const target = JSON.parse(json.stdout).targets[0];
  expect(target.allOpen).toBe("closed-ports-accept");
  expect(target.interrupted).toBe(true);
  expect(target.counts.scanned).toBeLessThan(2 * block.count + 1);
  const host = readFileSync(`${base}.jsonl`, "utf8")
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l))
    .find((l) => l.type === "host");
  expect(host.allOpen).toBe("closed-ports-accept");
  expect(readFileSync(`${base}.nmap`, "utf8")).toMatch(/^Warning: all ports answer open/m);
  expect(readFileSync(`${base}.gnmap`, "utf8")).toMatch(/^# 127\.0\.0\.1: all ports answer open/m);
  expect(readFileSync(`${base}.xml`, "utf8")).toContain('<hostscript><script id="all-open"');
});
