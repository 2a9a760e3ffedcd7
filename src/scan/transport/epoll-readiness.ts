// The Linux engine's readiness: one epoll instance per Worker (moved here unchanged from
// outcomes.ts and prober.ts so that the portable engine can swap it for poll()).

import {
  EPOLL_CLOEXEC,
  EPOLL_CTL_ADD,
  EPOLL_CTL_MOD,
  EPOLL_DATA_OFFSET,
  EPOLL_EVENT_SIZE,
  EPOLLERR,
  EPOLLHUP,
  EPOLLIN,
  EPOLLOUT,
  EPOLLRDHUP,
  errnoNames,
} from "../sys/libc.ts";
import type { FdTable } from "./fd-table.ts";
import type { ProbeSockets } from "./probe-socket.ts";
import { type Readiness, WAIT_CONNECT } from "./readiness.ts";

const CONNECT_EVENTS = EPOLLOUT | EPOLLERR | EPOLLHUP;
const READ_EVENTS = EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP;

export class EpollReadiness implements Readiness {
  private readonly ep: number;
  private readonly ev = new Uint8Array(EPOLL_EVENT_SIZE);
  private readonly evView = new DataView(this.ev.buffer);
  private readonly events: Uint8Array;
  private readonly eventsView: DataView;

  constructor(
    private readonly sockets: ProbeSockets,
    private readonly table: FdTable,
    private readonly maxEvents: number,
  ) {
    this.events = new Uint8Array(EPOLL_EVENT_SIZE * maxEvents);
    this.eventsView = new DataView(this.events.buffer);
    this.ep = sockets.c.epoll_create1(EPOLL_CLOEXEC);
    if (this.ep < 0) {
      const e = sockets.errno();
      throw new Error(`epoll_create1 failed: ${errnoNames[e] ?? `errno ${e}`}`);
    }
  }

  watch(fd: number, what: number): boolean {
    this.evView.setUint32(0, what === WAIT_CONNECT ? CONNECT_EVENTS : READ_EVENTS, true);
    this.evView.setUint32(EPOLL_DATA_OFFSET, fd, true);
    const op = this.table.registered[fd] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (this.sockets.c.epoll_ctl(this.ep, op, fd, this.ev) !== 0) return false;
    this.table.registered[fd] = 1;
    return true;
  }

  /** close() takes a descriptor out of epoll by itself. */
  forget(fd: number): void {
    this.table.registered[fd] = 0;
  }

  wait(timeoutMs: number): number {
    return this.sockets.c.epoll_wait(this.ep, this.events, this.maxEvents, timeoutMs);
  }

  readyFd(i: number): number {
    return this.eventsView.getUint32(i * EPOLL_EVENT_SIZE + EPOLL_DATA_OFFSET, true);
  }

  close(): void {
    this.sockets.close(this.ep);
  }
}
