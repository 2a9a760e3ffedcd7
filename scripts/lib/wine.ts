// Run the Windows build (tp-net.exe and its names) under Wine, for tests: a Wine prefix of
// its own (unique per process, removed by close()), and the stand-in bcryptprimitives.dll that
// Wine 8.0 lacks (scripts/wine/bcryptprimitives.c, built with mingw-w64) next to the .exe.
// Wine's sockets are the Linux host's, so the Windows programs share this loopback.
// Packages: wine64 (wine), gcc-mingw-w64-x86-64-win32 (x86_64-w64-mingw32-gcc).
import { readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./root.ts";
import { type Child, type CommandResult, runCommand, spawnChild } from "./run.ts";

const MINGW = "x86_64-w64-mingw32-gcc";

export interface Wine {
  /** Run `dir/name.exe args` to completion; stdin from a file (Wine cannot read a pipe). */
  run(
    name: string,
    args: string[],
    opts?: { stdinFile?: string; timeoutMs?: number },
  ): Promise<CommandResult>;
  /** Start `dir/name.exe args` (a server); its pid is the Windows process's. */
  spawn(name: string, args: string[]): Child;
  /**
   * Run what follows inside network namespace `netns` (null: this one). Wine's sockets are made
   * by its wineserver, which belongs to the namespace it started in: it is restarted there.
   */
  enter(netns: string | null): Promise<void>;
  /** Stop this prefix's wineserver and remove the prefix. */
  close(): Promise<void>;
}

/** Why Wine tests cannot run here, or null if they can. */
export function wineMissing(): string | null {
  if (process.platform !== "linux" || process.arch !== "x64") return "Wine tests need Linux x64";
  if (!Bun.which("wine")) return "wine is not installed (apt-get install wine64)";
  if (!Bun.which(MINGW))
    return `${MINGW} is not installed (apt-get install gcc-mingw-w64-x86-64-win32)`;
  return null;
}

/** A fresh Wine prefix, started (the first start takes ~8 s), for the .exe files in `dir`. */
export async function startWine(dir: string): Promise<Wine> {
  const dll = await runCommand([
    MINGW,
    "-shared",
    "-O2",
    "-s",
    "-o",
    join(dir, "bcryptprimitives.dll"),
    join(ROOT, "scripts", "wine", "bcryptprimitives.c"),
    "-ladvapi32",
  ]);
  if (dll.code !== 0) throw new Error(`building bcryptprimitives.dll: ${dll.stderr.trim()}`);
  removeStalePrefixes();
  const prefix = join(tmpdir(), `tp-wine-${process.pid}`);
  // No debug channels (Wine's fixme/err lines on stderr), no desktop integration.
  const env = { WINEPREFIX: prefix, WINEDEBUG: "-all", WINEDLLOVERRIDES: "winemenubuilder.exe=d" };
  const boot = await runCommand(["wineboot", "--init"], { env, timeoutMs: 120_000 });
  if (boot.code !== 0) throw new Error(`wineboot: exit ${boot.code} ${boot.stderr.trim()}`);
  const exe = (name: string) => join(dir, `${name}.exe`);
  let inside: string[] = [];
  const stopServer = () =>
    runCommand([...inside, "wineserver", "-k"], { env, timeoutMs: 20_000 }).then(() =>
      runCommand([...inside, "wineserver", "-w"], { env, timeoutMs: 20_000 }),
    );
  return {
    run(name, args, opts = {}) {
      const argv = [...inside, "wine", exe(name), ...args];
      const timeoutMs = opts.timeoutMs ?? 60_000;
      if (opts.stdinFile === undefined) return runCommand(argv, { env, timeoutMs, cwd: dir });
      const quoted = [...argv.map(shellQuote), "<", shellQuote(opts.stdinFile)].join(" ");
      return runCommand(["sh", "-c", `exec ${quoted}`], { env, timeoutMs, cwd: dir });
    },
    spawn: (name, args) => spawnChild([...inside, "wine", exe(name), ...args], env),
    async enter(netns) {
      await stopServer();
      inside = netns === null ? [] : ["ip", "netns", "exec", netns];
    },
    async close() {
      await stopServer();
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

/** Prefixes (~700 MB each) left by test runs that were killed: their pid is gone. */
function removeStalePrefixes(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(/^tp-wine-(\d+)$/.exec(name)?.[1]);
    if (!pid || isAlive(pid)) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
