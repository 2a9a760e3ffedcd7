// tp-scan: massively parallel TCP connect scanner. The same file is the entry point of the
// scan Workers (a compiled program has no other script to start them from).
import { mergeCommand } from "../scan/commands/merge.ts";
import { scanCommand } from "../scan/commands/scan.ts";
import { setWorkerEntry } from "../scan/engine.ts";
import { serveProbes } from "../scan/prober.ts";
import { runCli } from "../shared/cli.ts";

if (Bun.isMainThread) {
  setWorkerEntry(import.meta.url);
  // `tp-scan merge FILE...` (citty cannot mix a command's own positionals with subcommands).
  const argv = process.argv.slice(2);
  if (argv[0] === "merge") await runCli(mergeCommand, argv.slice(1));
  else await runCli(scanCommand);
} else {
  serveProbes();
}
