// Compile the one multi-call executable `tp-net` (src/bin/tp-net.ts) and give it its program
// names: tp-echo, tp-guess, tp-scan as hard links (symlinks where hard links fail; copies for
// Windows), so the three programs take the room of one Bun runtime (~110 MB, not 330).
//
//   bun run build                          native, into the repository root (./tp-scan ...)
//   bun run build --target darwin-arm64    cross build into dist/darwin-arm64/
//   bun run build --target linux-x64,windows-x64 --outdir out   into out/<target>/
//   bun run build --no-bytecode            plain minified JavaScript (starts ~2x slower)
//
// The first cross build for a system downloads that system's Bun runtime (~100 MB, from the
// npm registry) into Bun's cache; later ones reuse it.
import { copyFileSync, linkSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./lib/root.ts";

export { ROOT };
export const MULTICALL = "tp-net";
export const PROGRAMS = ["tp-echo", "tp-guess", "tp-scan"] as const;
export const TARGETS = [
  "linux-x64",
  "linux-arm64",
  "darwin-arm64",
  "darwin-x64",
  "windows-x64",
] as const;
export type Target = (typeof TARGETS)[number];

/** How the program names are made: links share the executable's bytes, copies do not. */
export type NameKind = "hardlink" | "symlink" | "copy";

export interface BuildOptions {
  /** undefined: this machine's system, without --target (the fastest build). */
  target?: Target;
  outdir: string;
  /** Precompile to bytecode (default true). */
  bytecode?: boolean;
}

export interface BuildOutput {
  target: Target;
  outdir: string;
  /** File names in outdir: the executable first, then the program names. */
  files: string[];
  names: NameKind;
}

/** The executables a native build leaves at the repository root (test/setup.ts checks them). */
export function entryPoints(): string[] {
  return [MULTICALL, ...PROGRAMS];
}

export function nativeTarget(): Target {
  const os = process.platform === "win32" ? "windows" : process.platform;
  const target = `${os}-${process.arch}`;
  if (!(TARGETS as readonly string[]).includes(target))
    throw new Error(`no build target for ${target}`);
  return target as Target;
}

export function exeSuffix(target: Target): string {
  return target.startsWith("windows") ? ".exe" : "";
}

/** Parse `linux-x64,darwin-arm64` (or `all`); throws on an unknown name. */
export function parseTargets(spec: string): Target[] {
  const names = spec === "all" ? [...TARGETS] : spec.split(",").map((s) => s.trim());
  for (const name of names) {
    if (!(TARGETS as readonly string[]).includes(name))
      throw new Error(`unknown target '${name}' (known: ${TARGETS.join(", ")}, all)`);
  }
  return [...new Set(names)] as Target[];
}

/** Give the executable its program names in `dir`; returns how they were made. */
export function nameCopies(dir: string, exe: string, target: Target): NameKind {
  const suffix = exeSuffix(target);
  // Windows archives (zip) carry no links, and Windows users double-click files: copies.
  let kind: NameKind = suffix === ".exe" ? "copy" : "hardlink";
  for (const program of PROGRAMS) {
    const path = join(dir, program + suffix);
    rmSync(path, { force: true });
    if (kind === "copy") {
      copyFileSync(join(dir, exe), path);
      continue;
    }
    try {
      if (kind === "hardlink") linkSync(join(dir, exe), path);
      else symlinkSync(exe, path);
    } catch {
      // A file system without hard links (or across devices): a relative symlink works anywhere.
      kind = "symlink";
      symlinkSync(exe, path);
    }
  }
  return kind;
}

/** Compile tp-net for one target into `outdir` and name its programs. */
export async function buildTarget(options: BuildOptions): Promise<BuildOutput> {
  const target = options.target ?? nativeTarget();
  const exe = MULTICALL + exeSuffix(target);
  mkdirSync(options.outdir, { recursive: true });
  const argv = ["bun", "build", "--compile", "--minify", "--sourcemap"];
  // This system's build needs no download: it embeds the Bun that runs this script.
  if (target !== nativeTarget()) argv.push(`--target=bun-${target}`);
  // Bytecode halves start-up (tp-scan --version 24.6 -> 11.4 ms, a one-port scan 62.6 -> 37.1 ms,
  // hyperfine, this machine); it needs the ESM output format for the top-level await.
  if (options.bytecode !== false) argv.push("--bytecode", "--format=esm");
  // The scan Workers' script is an entry point of its own (src/bin/scan-worker.ts says why).
  argv.push(
    join(ROOT, "src", "bin", `${MULTICALL}.ts`),
    join(ROOT, "src", "bin", "scan-worker.ts"),
  );
  argv.push("--outfile", join(options.outdir, exe));
  const proc = Bun.spawn(argv, { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  if (code !== 0) throw new Error(`build for ${target} failed:\n${err || out}`);
  const names = nameCopies(options.outdir, exe, target);
  return {
    target,
    outdir: options.outdir,
    files: [exe, ...PROGRAMS.map((p) => p + exeSuffix(target))],
    names,
  };
}

/** The native build into the repository root; `_names` is accepted for old callers. */
export async function build(_names: string[] = entryPoints(), bytecode = true): Promise<void> {
  const started = performance.now();
  const out = await buildTarget({ outdir: ROOT, bytecode });
  report(out, started);
}

function report(out: BuildOutput, started: number): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const where = out.outdir === ROOT ? "./" : `${out.outdir}/`;
  console.log(
    `built ${where}${out.files[0]} for ${out.target} in ${seconds} s; ${out.files.slice(1).join(", ")} as ${out.names}s of it`,
  );
}

interface CliOptions {
  targets?: Target[];
  outdir?: string;
  bytecode: boolean;
}

function parseCli(argv: string[]): CliOptions {
  const options: CliOptions = { bytecode: true };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = (argv[i] as string).split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i] ?? "";
    if (flag === "--target") options.targets = parseTargets(value());
    else if (flag === "--outdir") options.outdir = value();
    else if (flag === "--no-bytecode") options.bytecode = false;
    // Program names (`bun run build tp-echo`) from before the multi-call build: all are one now.
    else if (!entryPoints().includes(flag))
      throw new Error(
        `unknown argument '${flag}' (usage: build [--target T[,T...]|all] [--outdir DIR] [--no-bytecode])`,
      );
  }
  return options;
}

/** Where each target goes: one target in DIR itself, several in DIR/<target>. */
export function outdirFor(target: Target, count: number, outdir?: string): string {
  if (outdir === undefined) return join(ROOT, "dist", target);
  return count > 1 ? join(outdir, target) : outdir;
}

if (import.meta.main) {
  try {
    const options = parseCli(process.argv.slice(2));
    if (!options.targets) {
      const started = performance.now();
      report(
        await buildTarget({ outdir: options.outdir ?? ROOT, bytecode: options.bytecode }),
        started,
      );
    } else {
      // Sequential: each compile uses both cores, and parallel ones fight for memory.
      for (const target of options.targets) {
        const started = performance.now();
        const outdir = outdirFor(target, options.targets.length, options.outdir);
        report(await buildTarget({ target, outdir, bytecode: options.bytecode }), started);
      }
    }
  } catch (error) {
    console.error(`build: ${(error as Error).message}`);
    process.exit((error as Error).message.startsWith("unknown") ? 2 : 1);
  }
}
