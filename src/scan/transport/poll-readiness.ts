// The portable engine's readiness: poll() over an array of struct pollfd the loop keeps dense
// (a descriptor's slot is found through `slotOf`; a forgotten one is replaced by the last). A
// wait costs O(descriptors watched), which is small: on loopback most probes settle inside
// connect() and never wait (see prober.ts), and elsewhere they are at most the Worker's share
// of the concurrency. The flags and layout come from this system's row of systems.ts.
import { libc } from "../sys/libc.ts";
import { type SystemConstants, systemConstants } from "../sys/systems.ts";
import type { ProbeSockets } from "./probe-socket.ts";
import { type Readiness, WAIT_CONNECT } from "./readiness.ts";

export class PollReadiness implements Readiness {
  private readonly sys: SystemConstants["poll"];
  private entries: Uint8Array;
  private view: DataView;
  private count = 0;
  private slotOf = new Int32Array(4096).fill(-1);
  private fdOfSlot = new Int32Array(1024);
  private readonly ready: Int32Array;
  /** Windows: the SOCKET behind a descriptor id (winsock.ts); elsewhere the descriptor. */
  private readonly handleOf: (fd: number) => number;

  constructor(
    private readonly sockets: ProbeSockets,
    maxEvents: number,
  ) {
    const constants = systemConstants();
    if (!constants) throw new Error(`no poll() constants for ${process.platform}`);
    this.sys = constants.poll;
    this.entries = new Uint8Array(this.sys.entrySize * 1024);
    this.view = new DataView(this.entries.buffer);
    this.ready = new Int32Array(maxEvents);
    this.handleOf = libc().handleOf ?? ((fd) => fd);
  }

  watch(fd: number, what: number): boolean {
    const events = what === WAIT_CONNECT ? this.sys.POLLOUT : this.sys.POLLIN;
    if (fd >= this.slotOf.length) this.growSlots(fd);
    let slot = this.slotOf[fd] as number;
    if (slot < 0) {
      if (this.count === this.fdOfSlot.length) this.growEntries();
      slot = this.count++;
      this.slotOf[fd] = slot;
      this.fdOfSlot[slot] = fd;
      this.writeFd(slot, fd);
    }
    this.view.setInt16(slot * this.sys.entrySize + this.sys.eventsOffset, events, true);
    return true;
  }

  forget(fd: number): void {
    const slot = fd < this.slotOf.length ? (this.slotOf[fd] as number) : -1;
    if (slot < 0) return;
    this.slotOf[fd] = -1;
    const last = --this.count;
    if (slot === last) return;
    const moved = this.fdOfSlot[last] as number;
    const { entrySize, eventsOffset } = this.sys;
    this.fdOfSlot[slot] = moved;
    this.slotOf[moved] = slot;
    this.writeFd(slot, moved);
    const events = this.view.getInt16(last * entrySize + eventsOffset, true);
    this.view.setInt16(slot * entrySize + eventsOffset, events, true);
  }

  /** poll(), then the descriptors with something to report (at most `ready.length`). */
  wait(timeoutMs: number): number {
    const n = this.sockets.c.poll(this.entries, this.count, timeoutMs);
    if (n <= 0) return n;
    const { entrySize, reventsOffset } = this.sys;
    let found = 0;
    for (let slot = 0; slot < this.count && found < this.ready.length; slot++) {
      if (this.view.getInt16(slot * entrySize + reventsOffset, true) !== 0)
        this.ready[found++] = this.fdOfSlot[slot] as number;
    }
    return found;
  }

  readyFd(i: number): number {
    return this.ready[i] as number;
  }

  close(): void {
    this.count = 0;
  }

  private writeFd(slot: number, fd: number): void {
    const at = slot * this.sys.entrySize;
    if (this.sys.entrySize === 16) this.view.setBigUint64(at, BigInt(this.handleOf(fd)), true);
    else this.view.setInt32(at, fd, true);
  }

  private growSlots(fd: number): void {
    let size = this.slotOf.length;
    while (size <= fd) size *= 2;
    const slots = new Int32Array(size).fill(-1);
    slots.set(this.slotOf);
    this.slotOf = slots;
  }

  private growEntries(): void {
    const entries = new Uint8Array(this.entries.length * 2);
    entries.set(this.entries);
    this.entries = entries;
    this.view = new DataView(entries.buffer);
    const fds = new Int32Array(this.fdOfSlot.length * 2);
    fds.set(this.fdOfSlot);
    this.fdOfSlot = fds;
  }
}
