// The --db history file: SQLite through bun:sqlite (embedded, nothing to install). WAL mode so
// that shards or scans writing at once do not block readers, a busy timeout so that writers
// queue instead of failing, a schema versioned by PRAGMA user_version with migrations applied
// in order, and PRAGMA application_id so that a foreign SQLite file is told apart and refused.
import { Database } from "bun:sqlite";
import { existsSync, statSync } from "node:fs";
import { RuntimeError } from "../../shared/errors.ts";

/** "tpsc" in ASCII: marks the file as tp-scan's history. */
export const APPLICATION_ID = 0x74707363;

/** Each entry brings the schema from version i to i + 1; never edit one, add the next. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE runs (
     id INTEGER PRIMARY KEY,
     started_at TEXT NOT NULL,
     finished_at TEXT,
     status TEXT NOT NULL CHECK (status IN ('running', 'done', 'interrupted')),
     scope TEXT NOT NULL,
     targets TEXT NOT NULL,
     ports TEXT NOT NULL,
     command TEXT NOT NULL,
     hosts_up INTEGER,
     open_ports INTEGER
   );
   CREATE TABLE lines (
     run_id INTEGER NOT NULL REFERENCES runs (id),
     seq INTEGER NOT NULL,
     line TEXT NOT NULL,
     PRIMARY KEY (run_id, seq)
   ) WITHOUT ROWID;`,
  // Version 2: `diff --db` looks runs up by scope, newest first.
  "CREATE INDEX runs_by_scope ON runs (scope, status, id);",
];

export const SCHEMA_VERSION = MIGRATIONS.length;

// Writers wait for each other this long before giving up: a host's lines are one short
// transaction, so the wait is for other writers' transactions, never for a whole scan.
const BUSY_TIMEOUT_MS = 10_000;

function refuse(path: string, why: string): never {
  throw new RuntimeError(`${path}: ${why}`);
}

function migrate(db: Database, path: string): void {
  // Ownership is read under the write lock: read outside it, a file that another writer was
  // creating at that moment could show its tables before its application_id (4 parallel
  // writers on a new file: one refused it as another program's, seen in a CI run).
  db.exec("BEGIN IMMEDIATE");
  try {
    checkOwnership(db, path);
    const { user_version: version } = db.query("PRAGMA user_version").get() as {
      user_version: number;
    };
    if (version > SCHEMA_VERSION)
      refuse(path, `history schema ${version} is newer than this tp-scan's (${SCHEMA_VERSION})`);
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v] as string);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

function checkOwnership(db: Database, path: string): void {
  const { application_id: id } = db.query("PRAGMA application_id").get() as {
    application_id: number;
  };
  if (id === APPLICATION_ID) return;
  const tables = db.query("SELECT count(*) AS n FROM sqlite_schema").get() as { n: number };
  if (id !== 0 || tables.n > 0)
    refuse(path, "not a tp-scan history file (another program's database)");
}

/**
 * Open (creating it when absent or empty) the history at `path`. `create: false` for readers:
 * a missing file is an error, not a new empty history.
 */
export function openHistory(path: string, options: { create: boolean }): Database {
  if (!options.create && !existsSync(path)) refuse(path, "no such history file");
  if (existsSync(path) && statSync(path).isDirectory()) refuse(path, "is a directory");
  let db: Database | null = null;
  try {
    db = new Database(path, { create: options.create, strict: true });
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    migrate(db, path);
    // After the ownership check: a foreign file's journal mode is never changed.
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof RuntimeError) throw error;
    const message = (error as Error).message;
    if (/not a database|malformed|file is encrypted/i.test(message))
      refuse(path, "not a tp-scan history file (not SQLite, or damaged)");
    refuse(path, `cannot open the history (${message})`);
  }
}
