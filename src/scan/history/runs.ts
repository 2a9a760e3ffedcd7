// The runs of a --db history: recording one (a row in runs, its --jsonl lines in lines) and
// reading them back (the list, the last two runs of one scope, a run's lines).
import type { Database } from "bun:sqlite";
import type { ScanIdentity } from "../model/results.ts";

export type RunStatus = "running" | "done" | "interrupted";

export interface RunRow {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  status: RunStatus;
  targets: string;
  ports: string;
  command: string;
  hostsUp: number | null;
  openPorts: number | null;
}

/** What makes two runs comparable: the same targets and ports (the seed and shards may differ). */
export function scopeOf(identity: ScanIdentity): string {
  const { targetSpecs, excludeSpecs, portSpec, excludePortSpec } = identity;
  return JSON.stringify({ targetSpecs, excludeSpecs, portSpec, excludePortSpec });
}

export function insertRun(
  db: Database,
  run: { identity: ScanIdentity; startedAt: Date; command: string[] },
): number {
  const row = db
    .query(
      `INSERT INTO runs (started_at, status, scope, targets, ports, command)
       VALUES (?, 'running', ?, ?, ?, ?) RETURNING id`,
    )
    .get(
      run.startedAt.toISOString(),
      scopeOf(run.identity),
      run.identity.targetSpecs.join(" "),
      run.identity.portSpec,
      run.command.join(" "),
    ) as { id: number };
  return row.id;
}

/** Append `lines` to run `id` in one transaction (a host's port lines and host line together). */
export function appendLines(db: Database, id: number, firstSeq: number, lines: string[]): void {
  const insert = db.query("INSERT INTO lines (run_id, seq, line) VALUES (?, ?, ?)");
  db.transaction(() => {
    for (const [i, line] of lines.entries()) insert.run(id, firstSeq + i, line);
  })();
}

export function finishRun(
  db: Database,
  id: number,
  end: { status: RunStatus; hostsUp: number; openPorts: number },
): void {
  db.query(
    "UPDATE runs SET status = ?, finished_at = ?, hosts_up = ?, open_ports = ? WHERE id = ?",
  ).run(end.status, new Date().toISOString(), end.hostsUp, end.openPorts, id);
}

const ROW = `id, started_at AS startedAt, finished_at AS finishedAt, status, targets, ports,
  command, hosts_up AS hostsUp, open_ports AS openPorts`;

export function listRuns(db: Database): RunRow[] {
  return db.query(`SELECT ${ROW} FROM runs ORDER BY id`).all() as RunRow[];
}

/** The newest finished run and the finished run before it of the same scope (oldest first). */
export function lastTwoRuns(db: Database): RunRow[] {
  const last = db
    .query(`SELECT ${ROW}, scope FROM runs WHERE status = 'done' ORDER BY id DESC LIMIT 1`)
    .get() as (RunRow & { scope: string }) | null;
  if (!last) return [];
  const before = db
    .query(
      `SELECT ${ROW} FROM runs WHERE status = 'done' AND scope = ? AND id < ? ORDER BY id DESC LIMIT 1`,
    )
    .get(last.scope, last.id) as RunRow | null;
  const { scope: _scope, ...row } = last;
  return before ? [before, row] : [row];
}

/** Run `id`'s --jsonl text, as the scan wrote it. */
export function runJsonl(db: Database, id: number): string {
  const rows = db.query("SELECT line FROM lines WHERE run_id = ? ORDER BY seq").all(id) as Array<{
    line: string;
  }>;
  return rows.map((r) => `${r.line}\n`).join("");
}
