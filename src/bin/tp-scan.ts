// tp-scan: massively parallel TCP connect scanner. The same file is the entry point of the
// scan Workers (a compiled program has no other script to start them from).
import { scanCommand } from "../scan/commands/scan.ts";
import { setWorkerEntry } from "../scan/engine.ts";
import { serveProbes } from "../scan/prober.ts";
import { runCli } from "../shared/cli.ts";

if (Bun.isMainThread) {
  setWorkerEntry(import.meta.url);
  await runCli(scanCommand);
} else {
  serveProbes();
}
