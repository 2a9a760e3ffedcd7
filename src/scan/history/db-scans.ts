// `tp-scan diff --db FILE`: the last two finished runs of one scope in the history, as
// ScanSnapshots read through the --jsonl reader (the history keeps each run's lines).
import { RuntimeError } from "../../shared/errors.ts";
import type { ServiceTable } from "../ports/services.ts";
import { openHistory } from "./db.ts";
import { readJsonlScan } from "./jsonl-snapshot.ts";
import { lastTwoRuns, runJsonl } from "./runs.ts";
import type { ScanSnapshot } from "./snapshot.ts";

export function readRunsOfDb(path: string, services: ServiceTable): [ScanSnapshot, ScanSnapshot] {
  const db = openHistory(path, { create: false });
  try {
    const runs = lastTwoRuns(db);
    const [old, next] = runs;
    if (!old || !next)
      throw new RuntimeError(
        runs.length === 0
          ? `${path}: no finished run to compare`
          : `${path}: run ${old?.id} has no earlier finished run of the same targets and ports`,
      );
    const read = (id: number) => {
      const name = `run ${id}`;
      return readJsonlScan(name, [{ name, text: runJsonl(db, id) }], services);
    };
    return [read(old.id), read(next.id)];
  } finally {
    db.close();
  }
}
