// --db FILE, `tp-scan history` and `tp-scan diff --db`, run as users run them: runs recorded by
// the compiled tp-scan, parallel writers into one file, Ctrl-C, and files that are not ours.
import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exePath } from "../../../scripts/lib/root.ts";
import { StreamReader } from "../../../scripts/lib/stream.ts";
import {
  APPLICATION_ID,
  MIGRATIONS,
  openHistory,
  SCHEMA_VERSION,
} from "../../../src/scan/history/db.ts";
import { runExe } from "../../helpers/exe.ts";
import { knownPorts } from "../../helpers/loopback-ports.ts";

const dir = mkdtempSync(join(tmpdir(), "tp-history-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newDb = () => join(dir, `h${files++}.db`);

async function history(db: string) {
  const run = await runExe("tp-scan", ["history", "--db", db, "--jsonl"]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return run.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

test("two runs recorded; history lists them; diff --db tells the ports that closed since (exit 1)", async () => {
  const db = newDb();
  const ports = await knownPorts(1, 2);
  try {
    expect(
      (await runExe("tp-scan", ["127.0.0.1", "-p", ports.spec, "--db", db, "--list"])).code,
    ).toBe(0);
    const same = await runExe("tp-scan", ["diff", "--db", db]);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/run 1 has no earlier finished run of the same targets and ports/);
    const listener = Bun.listen({
      hostname: "127.0.0.1",
      port: ports.closed[0] as number,
      socket: { data() {} },
    });
    try {
      expect(
        (await runExe("tp-scan", ["127.0.0.1", "-p", ports.spec, "--db", db, "--list"])).code,
      ).toBe(0);
    } finally {
      listener.stop(true);
    }
  } finally {
    ports.stop();
  }
  // A run of other ports in between: diff --db compares runs of one scope only.
  expect(
    (await runExe("tp-scan", ["127.0.0.1", "-p", String(ports.closed[1]), "--db", db])).code,
  ).toBe(0);
  expect(
    (await runExe("tp-scan", ["127.0.0.1", "-p", ports.spec, "--db", db, "--list"])).code,
  ).toBe(0);
  const runs = await history(db);
  expect(runs.map((r) => [r.id, r.status, r.hostsUp, r.openPorts])).toEqual([
    [1, "done", 1, 1],
    [2, "done", 1, 2],
    [3, "done", 1, 0],
    [4, "done", 1, 0],
  ]);
  // Runs 2 and 4: the listener of run 2 is gone, and so is ports.open[0] (stopped).
  const diff = await runExe("tp-scan", ["diff", "--db", db, "--jsonl"]);
  expect(diff.code).toBe(1);
  const lines = diff.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  expect(lines[0]).toMatchObject({ old: { source: "run 2" }, new: { source: "run 4" } });
  expect(
    lines
      .filter((l) => l.type === "port-closed")
      .map((l) => l.port)
      .sort(),
  ).toEqual([ports.open[0], ports.closed[0]].sort());
  const text = await runExe("tp-scan", ["history", "--db", db]);
  expect(text.stdout.split("\n")[0]).toMatch(
    /^RUN\s+STARTED\s+STATUS\s+TIME\s+UP\s+OPEN\s+TARGETS\s+PORTS$/,
  );
});

test("parallel writers: 4 scans of 32 hosts each into one file, every run and host kept", async () => {
  const db = newDb();
  const scans = [0, 1, 2, 3].map((i) =>
    runExe("tp-scan", [`127.0.${i}.0/27`, "-p", "1-20", "--db", db, "--list"], {
      timeoutMs: 60_000,
    }),
  );
  for (const run of await Promise.all(scans)) {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  }
  const runs = await history(db);
  expect(runs.map((r) => r.status)).toEqual(["done", "done", "done", "done"]);
  expect(runs.map((r) => r.targets).sort()).toEqual([
    "127.0.0.0/27",
    "127.0.1.0/27",
    "127.0.2.0/27",
    "127.0.3.0/27",
  ]);
  const read = new Database(db, { readonly: true });
  const hostLines = read
    .query(
      'SELECT run_id, count(*) AS n FROM lines WHERE line LIKE \'{"type":"host"%\' GROUP BY run_id',
    )
    .all() as Array<{ n: number }>;
  read.close();
  expect(hostLines.map((r) => r.n)).toEqual([32, 32, 32, 32]);
}, 120_000);

test("a run cut by Ctrl-C is recorded as interrupted, with the hosts it finished", async () => {
  const db = newDb();
  const proc = Bun.spawn(
    [
      exePath("tp-scan"),
      "127.0.0.0/24",
      "-p",
      "1-200",
      "--ordered",
      "--rate",
      "5000",
      "--db",
      db,
      "--jsonl",
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const out = new StreamReader(proc.stdout);
  try {
    await out.waitFor(/"type":"host"/, 60_000);
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(130);
  } finally {
    proc.kill("SIGKILL");
  }
  const [run] = await history(db);
  expect(run.status).toBe("interrupted");
  // Its lines read back: some hosts finished every port, the rest were cut short.
  const read = new Database(db, { readonly: true });
  const hosts = (
    read.query('SELECT line FROM lines WHERE line LIKE \'{"type":"host"%\'').all() as Array<{
      line: string;
    }>
  ).map((r) => JSON.parse(r.line));
  read.close();
  const whole = hosts.filter((h) => h.counts.scanned === 200 && !h.interrupted).length;
  expect(whole).toBeGreaterThan(0);
  expect(whole).toBeLessThan(256);
  const diff = await runExe("tp-scan", ["diff", "--db", db]);
  expect(diff.stderr).toMatch(/no finished run to compare/);
}, 90_000);

test("a file that is not SQLite, or another program's database, is refused with one line", async () => {
  const garbage = join(dir, "garbage.db");
  writeFileSync(garbage, "this is not a database, just text that is long enough\n".repeat(20));
  const foreign = join(dir, "foreign.db");
  const other = new Database(foreign);
  other.exec("CREATE TABLE notes (text TEXT)");
  other.close();
  for (const [args, message, code] of [
    [
      ["127.0.0.1", "-p", "1", "--db", garbage],
      "not a tp-scan history file (not SQLite, or damaged)",
      1,
    ],
    [["history", "--db", foreign], "not a tp-scan history file (another program's database)", 1],
    [["diff", "--db", foreign], "not a tp-scan history file (another program's database)", 2],
    [["history", "--db", join(dir, "missing.db")], "no such history file", 1],
  ] as const) {
    const run = await runExe("tp-scan", [...args]);
    expect(run.code).toBe(code);
    expect(run.stdout).toBe("");
    expect(run.stderr).toEndWith(`${message}\n`);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  }
  // The scan refused before probing: the text file is as it was.
  expect(await Bun.file(garbage).text()).toStartWith("this is not a database");
});

test("migrations: a version-1 file is brought to the current schema; a newer one is refused", () => {
  const old = newDb();
  const v1 = new Database(old);
  v1.exec(MIGRATIONS[0] as string);
  v1.exec(`PRAGMA user_version = 1; PRAGMA application_id = ${APPLICATION_ID}`);
  v1.exec(
    "INSERT INTO runs (started_at, status, scope, targets, ports, command) VALUES ('2026-01-01T00:00:00Z', 'done', '{}', 't', 'p', 'c')",
  );
  v1.close();
  const upgraded = openHistory(old, { create: false });
  expect(upgraded.query("PRAGMA user_version").get()).toEqual({ user_version: SCHEMA_VERSION });
  expect(upgraded.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
  expect(
    upgraded
      .query("SELECT name FROM sqlite_schema WHERE type = 'index' AND name = 'runs_by_scope'")
      .get(),
  ).toEqual({ name: "runs_by_scope" });
  expect(upgraded.query("SELECT count(*) AS n FROM runs").get()).toEqual({ n: 1 });
  upgraded.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  upgraded.close();
  expect(() => openHistory(old, { create: false })).toThrow(
    `history schema ${SCHEMA_VERSION + 1} is newer than this tp-scan's (${SCHEMA_VERSION})`,
  );
});
