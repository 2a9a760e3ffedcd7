// Compile every entry point in src/bin/ into a standalone executable at the repository root.
// `bun run build` builds all; `bun run build tp-echo` builds one. A program whose entry point
// does not exist yet is simply not built.
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";

const root = join(import.meta.dir, "..");
const binDir = join(root, "src", "bin");

export function entryPoints(): string[] {
  return readdirSync(binDir)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => basename(f, ".ts"))
    .sort();
}

export async function build(names: string[] = entryPoints()): Promise<void> {
  // Sequential: each compile already uses both cores, and parallel ones fight for memory.
  for (const name of names) {
    const started = performance.now();
    const proc = Bun.spawn(
      [
        "bun",
        "build",
        "--compile",
        "--minify",
        "--sourcemap",
        join(binDir, `${name}.ts`),
        "--outfile",
        join(root, name),
      ],
      { cwd: root, stdout: "pipe", stderr: "pipe" },
    );
    const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    if (code !== 0) throw new Error(`build of ${name} failed:\n${err}`);
    console.log(`built ./${name} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

if (import.meta.main) {
  const wanted = process.argv.slice(2);
  const known = entryPoints();
  const unknown = wanted.filter((w) => !known.includes(w));
  if (unknown.length > 0) {
    console.error(`build: unknown program ${unknown.join(", ")} (known: ${known.join(", ")})`);
    process.exit(2);
  }
  try {
    await build(wanted.length > 0 ? wanted : known);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
