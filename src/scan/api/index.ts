// `import { scan, scanAll } from "tp-net"`: the package's library entry (docs/library.md).
import type { JsonlLine } from "../output/jsonl.ts";

export { RuntimeError, UsageError } from "../../shared/errors.ts";
/** A `bun build --compile` program: where its embedded copy of the Workers' script is. */
export { setWorkerEntry } from "../engine/engine.ts";
export type { HostLine, JsonlLine, PortLine, RunLine, ScanLine } from "../output/jsonl.ts";
export type { ScanFlags, ScanOptions } from "./options.ts";
export { type ScanDocument, scan, scanAll } from "./scan.ts";

/** What scan() yields: one --jsonl line, as an object. */
export type ScanEvent = JsonlLine;
