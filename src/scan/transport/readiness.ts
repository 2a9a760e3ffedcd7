// The one part of a probe Worker's loop that differs between the two engines: how it waits for
// sockets to become ready. The Linux engine uses epoll (one system call per registration, none
// per wait beyond the ready ones); the portable engine uses poll() on an array it keeps dense,
// which every system has (poll in libSystem on macOS, WSAPoll in ws2_32 on Windows). Everything
// else (work source, outcomes, timing, discovery) is shared; see docs/portable-engine.md. A
// type file: the factory of the two is readiness-engines.ts.

/** The engines a scan can run on; "auto" picks the Linux one on Linux, else the portable one. */
export const ENGINE_NAMES = ["auto", "linux", "portable"] as const;
export type EngineChoice = (typeof ENGINE_NAMES)[number];
export type EngineName = Exclude<EngineChoice, "auto">;

/** What a probe waits for: its connect to finish, or data (a banner) to read. */
export const WAIT_CONNECT = 0;
export const WAIT_READ = 1;

export interface Readiness {
  /** Wait on `fd` for `what` (WAIT_CONNECT or WAIT_READ), replacing any earlier wait. */
  watch(fd: number, what: number): boolean;
  /** `fd` is about to be closed: stop waiting on it. */
  forget(fd: number): void;
  /** Wait up to `timeoutMs` (0: do not block); the number of ready descriptors, or -1 (errno). */
  wait(timeoutMs: number): number;
  /** The i-th ready descriptor of the last wait. */
  readyFd(i: number): number;
  close(): void;
}

/** The engine `choice` stands for on this system. */
export function resolveEngine(choice: EngineChoice, platform = process.platform): EngineName {
  if (choice !== "auto") return choice;
  return platform === "linux" ? "linux" : "portable";
}
