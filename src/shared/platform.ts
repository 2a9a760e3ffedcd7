// What differs between the systems the programs run on, in one place (see docs/platforms.md).
// Signals follow Node's rules, which Bun keeps: on Windows SIGTERM can be listened for but is
// never delivered (process.kill and Task Manager end the process outright); Ctrl-C arrives as
// SIGINT, Ctrl-Break as SIGBREAK, and closing the console window as SIGHUP, with about 10 s
// left before Windows ends the process. On Linux and macOS a closed terminal sends SIGHUP.
export type Platform = NodeJS.Platform;

/** The signals that ask a server to stop cleanly on `platform`, most common first. */
export function stopSignals(platform: Platform = process.platform): NodeJS.Signals[] {
  if (platform === "win32") return ["SIGINT", "SIGBREAK", "SIGHUP"];
  return ["SIGINT", "SIGTERM", "SIGHUP"];
}
