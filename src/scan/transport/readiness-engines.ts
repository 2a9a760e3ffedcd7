// The readiness of an engine by name (readiness.ts): epoll for the Linux engine, poll() for
// the portable one. Apart from readiness.ts so that the type file imports neither back.
import { EpollReadiness } from "./epoll-readiness.ts";
import type { FdTable } from "./fd-table.ts";
import { PollReadiness } from "./poll-readiness.ts";
import type { ProbeSockets } from "./probe-socket.ts";
import type { EngineName, Readiness } from "./readiness.ts";

export function createReadiness(
  engine: EngineName,
  sockets: ProbeSockets,
  table: FdTable,
  maxEvents: number,
): Readiness {
  return engine === "linux"
    ? new EpollReadiness(sockets, table, maxEvents)
    : new PollReadiness(sockets, maxEvents);
}
