// Which load generator the echo bench runs: the C one (bench/echo-loadgen.c, compiled with cc
// and cached) where there is a compiler, else the TypeScript one (bench/echo-loadgen.ts). Both
// take the same flags and print the same JSON. BENCH_ECHO_LOADGEN=ts (or c) forces one, to
// compare them.
import { join } from "node:path";
import { buildCached, cCompiler } from "../../scripts/lib/cc.ts";
import { ROOT } from "../../scripts/lib/root.ts";

export interface LoadGenerator {
  /** "c" or "ts", for the notes. */
  kind: "c" | "ts";
  /** The command to which the generator's flags are appended. */
  argv: string[];
  /** Why the TypeScript generator is used where the C one was wanted. */
  fallback?: string;
}

const TS_GENERATOR: LoadGenerator = {
  kind: "ts",
  argv: [process.execPath, join(ROOT, "bench/echo-loadgen.ts")],
};

export async function echoLoadGenerator(
  wanted = process.env.BENCH_ECHO_LOADGEN,
): Promise<LoadGenerator> {
  if (wanted === "ts") return TS_GENERATOR;
  if (!cCompiler()) return { ...TS_GENERATOR, fallback: "no C compiler (cc)" };
  try {
    const binary = await buildCached(join(ROOT, "bench/echo-loadgen.c"), "bench", "echo-loadgen");
    return { kind: "c", argv: [binary] };
  } catch (error) {
    const why = (error as Error).message.split("\n")[0] ?? "cc failed";
    return { ...TS_GENERATOR, fallback: why };
  }
}
