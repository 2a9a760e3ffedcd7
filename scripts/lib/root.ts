// Where the repository is, and its compiled executables, for tests, bench and scripts alike.
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The repository root (this file is scripts/lib/root.ts). */
export const ROOT = join(import.meta.dir, "..", "..");

/**
 * How a program of the multi-call executable is started (env TP_EXE_VIA), so that every
 * executable test can run under each of its names: `link` (default) the build's ./tp-scan hard
 * link; `symlink` a symlink to ./tp-net; `tp-net` as `./tp-net scan ...` (a script that execs it).
 */
export const EXE_VIA = process.env.TP_EXE_VIA ?? "link";
const VIAS = ["link", "symlink", "tp-net"];
if (!VIAS.includes(EXE_VIA)) throw new Error(`TP_EXE_VIA must be one of ${VIAS.join(", ")}`);

let viaDir: string | undefined;

function viaPath(name: string): string {
  if (!viaDir) {
    viaDir = join(tmpdir(), `tp-exe-via-${process.pid}`);
    mkdirSync(viaDir, { recursive: true });
    const dir = viaDir;
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  const path = join(viaDir, name);
  if (existsSync(path)) return path;
  const multiCall = join(ROOT, "tp-net");
  if (EXE_VIA === "symlink") symlinkSync(multiCall, path);
  else {
    // exec: the signals a test sends reach tp-net itself.
    writeFileSync(path, `#!/bin/sh\nexec '${multiCall}' ${name.replace(/^tp-/, "")} "$@"\n`);
    chmodSync(path, 0o755);
  }
  return path;
}

/** A compiled executable of the repository root: ./tp-net, ./tp-echo, ./tp-guess, ./tp-scan. */
export function exePath(name: string): string {
  if (EXE_VIA === "link" || name === "tp-net") return join(ROOT, name);
  return viaPath(name);
}
