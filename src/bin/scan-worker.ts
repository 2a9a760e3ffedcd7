// The scan Workers' script (src/scan/engine/prober.ts): a second entry point of the compiled program,
// so a Worker loads the probe loop alone, not the whole multi-call program (a Worker's start
// measured 2.5-5 ms this way, 7-19 ms from the program's own entry point). It sits next to
// the programs' entry points, so that it is `./scan-worker.ts` from theirs, in the source
// tree as in the compiled program's embedded files.
import { serveProbes } from "../scan/engine/prober.ts";

serveProbes();
