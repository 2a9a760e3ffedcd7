// What differs between the systems the programs run on, in one place (see docs/platforms.md).
// Signals follow Node's rules, which Bun keeps: on Windows SIGTERM can be listened for but is
// never delivered (process.kill and Task Manager end the process outright); Ctrl-C arrives as
// SIGINT, Ctrl-Break as SIGBREAK, and closing the console window as SIGHUP, with about 10 s
// left before Windows ends the process. On Linux and macOS a closed terminal sends SIGHUP.
import { constants } from "node:os";

export type Platform = NodeJS.Platform;

/** The signals that ask a server to stop cleanly on `platform`, most common first. */
export function stopSignals(platform: Platform = process.platform): NodeJS.Signals[] {
  if (platform === "win32") return ["SIGINT", "SIGBREAK", "SIGHUP"];
  return ["SIGINT", "SIGTERM", "SIGHUP"];
}

/**
 * Resolves with the first stop signal received; the listeners are removed then, so a second
 * Ctrl-C gets the default action (an immediate exit) while the server says goodbye.
 */
export function untilStopSignal(platform: Platform = process.platform): Promise<NodeJS.Signals> {
  const signals = stopSignals(platform);
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, handler);
      resolve(signal);
    };
    for (const s of signals) process.on(s, handler);
  });
}

/** The shell's exit status for a process ended by `signal` (128 + its number: SIGINT 130). */
export function signalExitCode(signal: NodeJS.Signals): number {
  const number = (constants.signals as Record<string, number | undefined>)[signal];
  return number === undefined ? 1 : 128 + number;
}

/** `tp-scan` -> `tp-scan.exe` on Windows. */
export function executableName(name: string, platform: Platform = process.platform): string {
  return platform === "win32" ? `${name}.exe` : name;
}

/** The scan engine that can run on `platform`: the bun:ffi epoll engine needs Linux. */
export function nativeScanEngine(platform: Platform = process.platform): "epoll" | null {
  return platform === "linux" ? "epoll" : null;
}
