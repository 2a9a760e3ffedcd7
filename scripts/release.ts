// `bun run release [--target T[,T...]|all] [--outdir DIR]`: one archive per system in DIR
// (default dist/), each holding tp-net with its program names, the README and SHA256SUMS,
// plus DIR/SHA256SUMS over the archives. tar.gz keeps the hard links (the archive carries one
// runtime); Windows gets a zip of copies where a zip tool exists, else a tar.gz too.
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { buildTarget, parseTargets, ROOT, TARGETS, type Target } from "./build.ts";

export interface ReleaseOptions {
  targets: readonly Target[];
  outdir: string;
}

export async function sha256(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  for await (const chunk of Bun.file(path).stream()) hasher.update(chunk);
  return hasher.digest("hex");
}

/** `sha256sum` format, so `sha256sum -c SHA256SUMS` checks it. */
export async function writeSums(dir: string, files: string[]): Promise<void> {
  const lines = [];
  for (const file of files.sort()) lines.push(`${await sha256(join(dir, file))}  ${file}\n`);
  writeFileSync(join(dir, "SHA256SUMS"), lines.join(""));
}

async function run(argv: string[], cwd: string): Promise<void> {
  const proc = Bun.spawn(argv, { cwd, stdout: "ignore", stderr: "pipe" });
  const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  if (code !== 0) throw new Error(`${argv[0]} failed: ${err.trim()}`);
}

/** Build, stage and archive one system; returns the archive's file name in `outdir`. */
export async function releaseTarget(target: Target, outdir: string): Promise<string> {
  const name = `tp-net-${pkg.version}-${target}`;
  const stage = join(outdir, `.stage-${process.pid}`);
  const dir = join(stage, name);
  rmSync(stage, { recursive: true, force: true });
  try {
    const built = await buildTarget({ target, outdir: dir });
    // The source map stays out: the executable embeds what its stack traces need.
    for (const file of readdirSync(dir)) if (file.endsWith(".map")) rmSync(join(dir, file));
    copyFileSync(join(ROOT, "README.md"), join(dir, "README.md"));
    await writeSums(dir, [...built.files, "README.md"]);
    const zip = target.startsWith("windows") && Bun.which("zip") !== null;
    const archive = `${name}${zip ? ".zip" : ".tar.gz"}`;
    rmSync(join(outdir, archive), { force: true });
    if (zip) await run(["zip", "-q", "-r", join(outdir, archive), name], stage);
    else await run(["tar", "-czf", join(outdir, archive), name], stage);
    return archive;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

export async function release(options: ReleaseOptions): Promise<string[]> {
  mkdirSync(options.outdir, { recursive: true });
  const archives: string[] = [];
  for (const target of options.targets) {
    const started = performance.now();
    const archive = await releaseTarget(target, options.outdir);
    const size = (Bun.file(join(options.outdir, archive)).size / 1e6).toFixed(0);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${options.outdir}/${archive}: ${size} MB in ${seconds} s`);
    archives.push(archive);
  }
  await writeSums(options.outdir, archives);
  return archives;
}

function parseCli(argv: string[]): ReleaseOptions {
  const options: ReleaseOptions = { targets: TARGETS, outdir: join(ROOT, "dist") };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = (argv[i] as string).split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i] ?? "";
    if (flag === "--target") options.targets = parseTargets(value());
    else if (flag === "--outdir") options.outdir = value();
    else
      throw new Error(
        `unknown argument '${flag}' (usage: release [--target T[,T...]|all] [--outdir DIR])`,
      );
  }
  return options;
}

if (import.meta.main) {
  try {
    await release(parseCli(process.argv.slice(2)));
  } catch (error) {
    console.error(`release: ${(error as Error).message}`);
    process.exit((error as Error).message.startsWith("unknown") ? 2 : 1);
  }
}
