// The JSON document (--json, -oJ) and the --jsonl lines against their schema in docs/output.md:
// real runs of ./tp-scan on the loopback, every field they write documented, every documented
// field written by one of them (options that add fields included: --banner, --shard, -sU).
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TCPSocketListener } from "bun";
import { freePort } from "../../scripts/lib/net.ts";
import { runExe } from "../helpers/exe.ts";

setDefaultTimeout(60_000);

const DOC = readFileSync(join(import.meta.dir, "../../docs/output.md"), "utf8");
const dir = mkdtempSync(join(tmpdir(), "tp-scan-schema-"));
let listener: TCPSocketListener;
let udp: { port: number; close(): void };
const runs: Array<{ json: unknown; jsonl: unknown[] }> = [];

/** Every field path of a value: `a.b`, `list[].c`; arrays of plain values and null are leaves. */
function paths(value: unknown, prefix = "", out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    const objects = value.filter((v) => v !== null && typeof v === "object");
    if (objects.length === 0 && prefix !== "") out.add(prefix);
    for (const v of objects) paths(v, `${prefix}[]`, out);
  } else if (value !== null && typeof value === "object") {
    if (prefix !== "") out.add(prefix);
    for (const [k, v] of Object.entries(value)) paths(v, prefix === "" ? k : `${prefix}.${k}`, out);
  } else out.add(prefix);
  return out;
}

interface Schema {
  /** Documented paths. */
  fields: Set<string>;
  /** Paths whose keys vary (a map by name): anything below them is documented. */
  maps: Set<string>;
  /** Documented as written only sometimes (`{a, b?}`): not required in every run. */
  optional: Set<string>;
}

/** The table after `<!-- schema: NAME -->`: backticked fields, `{a, b}` children in the type. */
function schema(name: string): Schema {
  const at = DOC.indexOf(`<!-- schema: ${name} -->`);
  expect(at).toBeGreaterThanOrEqual(0);
  const lines = DOC.slice(at).split("\n").slice(1);
  const first = lines.findIndex((l) => l.startsWith("|"));
  const end = lines.findIndex((l, i) => i > first && !l.startsWith("|"));
  const rows = lines.slice(first + 2, end);
  const fields = new Set<string>();
  const maps = new Set<string>();
  const optional = new Set<string>();
  for (const row of rows) {
    const [field = "", type = ""] = row.split(/(?<!\\)\|/).slice(1, 3);
    for (const [, quoted] of field.matchAll(/`([^`]+)`/g)) {
      const path = (quoted as string).replace(/\\\|/g, "|");
      fields.add(path);
      if (/\bmap\b/.test(type)) maps.add(path);
      for (const [, inner] of type.matchAll(/\{([^}]*)\}/g))
        for (const child of (inner as string).split(",")) {
          const name = child.trim().replace(/\\\|/g, "|");
          const full = `${path}.${name.replace(/\?$/, "")}`;
          fields.add(full);
          if (name.endsWith("?")) optional.add(full);
        }
    }
  }
  // A documented a.b.c documents a and a.b (the objects it sits in).
  for (const f of [...fields]) {
    const parts = f.split(".");
    for (let i = 1; i < parts.length; i++) fields.add(parts.slice(0, i).join("."));
  }
  return { fields, maps, optional };
}

function unwritten(written: Set<string>, s: Schema): string[] {
  return [...s.fields].filter((f) => !written.has(f) && !s.maps.has(f) && !s.optional.has(f));
}

function undocumented(written: Set<string>, s: Schema): string[] {
  return [...written].filter(
    (p) => !s.fields.has(p) && ![...s.maps].some((m) => p.startsWith(`${m}.`)),
  );
}

beforeAll(async () => {
  listener = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: { data() {}, open: (s) => void s.write("220 schema test\r\n") },
  });
  udp = await Bun.udpSocket({
    hostname: "127.0.0.1",
    socket: { data: (s, _d, port, addr) => void s.send("pong", port, addr) },
  });
  const closed = await freePort();
  const tcp = ["127.0.0.1", "-p", `${listener.port},${closed}`, "--banner", "--show", "closed"];
  const variants = [
    [...tcp],
    [...tcp, "--shard", "1/2", "--seed", "5"],
    ["127.0.0.1", "-sU", "-p", `${udp.port},${closed}`],
    ["127.0.0.1", "-sU", "-sT", "-p", `${udp.port},${listener.port},${closed}`],
  ];
  for (const [i, args] of variants.entries()) {
    const base = join(dir, `run${i}`);
    const r = await runExe("tp-scan", [...args, "--json", "-oA", base]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    // --json and -oJ are one document from one builder: the same text.
    expect(readFileSync(`${base}.json`, "utf8")).toBe(r.stdout);
    const jsonl = readFileSync(`${base}.jsonl`, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    runs.push({ json, jsonl });
  }
});
afterAll(() => {
  listener?.stop(true);
  udp?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("the JSON document writes exactly the fields docs/output.md documents", () => {
  const s = schema("json");
  const written = new Set(runs.flatMap((r) => [...paths(r.json)]));
  expect(undocumented(written, s)).toEqual([]);
  expect(unwritten(written, s)).toEqual([]);
});

for (const type of ["scan", "port", "host", "run"]) {
  test(`--jsonl ${type} lines write exactly the fields docs/output.md documents`, () => {
    const s = schema(`jsonl ${type}`);
    // The run line's settings are the JSON document's (documented there, once), without show.
    if (type === "run")
      for (const f of schema("json").fields)
        if (f.startsWith("settings.") && f !== "settings.show") s.fields.add(f);
    const lines = runs.flatMap((r) => r.jsonl).filter((l) => (l as { type: string }).type === type);
    expect(lines.length).toBeGreaterThan(0);
    const written = new Set(lines.flatMap((l) => [...paths(l)]));
    expect(undocumented(written, s)).toEqual([]);
    expect(unwritten(written, s)).toEqual([]);
  });
}

test("docs/scan.md points to the one schema instead of its own copy", () => {
  const scanDoc = readFileSync(join(import.meta.dir, "../../docs/scan.md"), "utf8");
  expect(scanDoc).toContain("output.md#");
  expect(scanDoc).not.toMatch(/^## `--json` schema/m);
});
