// Worker entry for running the engine from source (tests); the compiled program uses its own
// entry point as the worker script instead (src/bin/tp-scan.ts).
import { serveProbes } from "./prober.ts";

serveProbes();
