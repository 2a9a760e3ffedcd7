// --db FILE, shared by `tp-scan` (record the run), `tp-scan history` and `tp-scan diff --db`.
import type { ArgsDef } from "citty";

export const dbArg = {
  db: {
    type: "string",
    valueHint: "FILE",
    description: "SQLite history file: each run recorded in it (docs/history.md)",
  },
} as const satisfies ArgsDef;
