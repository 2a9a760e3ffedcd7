// The probe loop that runs in each scan Worker: non-blocking connect() on raw sockets through
// bun:ffi, one epoll instance, a FIFO of in-flight probes for timeouts. It shares its results
// with the main thread through SharedArrayBuffers (see engine.ts) and never yields to the event
// loop until its share of the work is done or the stop flag is raised.
import {
  AF_INET,
  AF_INET6,
  EALREADY,
  ECONNREFUSED,
  EINPROGRESS,
  EINTR,
  EISCONN,
  ENETDOWN,
  ENETUNREACH,
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
  LOCAL_ERRNOS,
  libc,
  MSG_DONTWAIT,
  SO_ERROR,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
} from "./libc.ts";
import { RttEstimator, type TimeoutPolicy } from "./timing.ts";

/** Port states as stored in the shared state array. */
export const UNKNOWN = 0;
export const OPEN = 1;
export const CLOSED = 2;
export const FILTERED = 3;

/** Slots of the shared control array (Int32Array). */
export const CTL = {
  cursor: 0,
  stop: 1,
  done: 2,
  open: 3,
  closed: 4,
  filtered: 5,
  localRetries: 6,
  selfConnects: 7,
  probes: 8,
  retries: 9,
  size: 16,
} as const;

export interface ProbeJob {
  family: 4 | 6;
  /** 4 or 16 address bytes, network order. */
  address: Uint8Array;
  scopeId: number;
  /** Ports in probe order (shared, read-only). */
  order: Int32Array;
  /** Per-port state, indexed by port (shared). */
  states: Uint8Array;
  ctl: Int32Array;
  concurrency: number;
  policy: TimeoutPolicy;
  /** A fixed timeout (ms) instead of the adaptive one. */
  fixedTimeoutMs: number | null;
  /** Extra probes of a port that timed out before calling it filtered. */
  retries: number;
  /** Wait (ms) for an open port's first words; 0 = no banner grab. */
  bannerMs: number;
}

export interface ProbeResult {
  banners: Array<[number, string]>;
  srttMs: number | undefined;
  rttvarMs: number | undefined;
  samples: number;
  timeoutMs: number;
  errors: Record<string, number>;
  peakInFlight: number;
  /** Set when the network itself failed (every port would fail the same way). */
  fatal?: string;
}

const BATCH = 64;
const MAX_EVENTS = 1024;
const MAX_SPARES = 4;
const SELF_CONNECT_TRIES = 4;
/** Local errors with no probe started for this long end the scan with an error. */
const STALL_MS = 5000;
const REUSE_NO = 0;
const REUSE_RESET = 1;
const REUSE_READY = 2;
const MODE_FREE = 0;
const MODE_CONNECTING = 1;
const MODE_BANNER = 2;

/** A growable FIFO of (fd, generation) pairs. */
class FdQueue {
  private fds = new Int32Array(1024);
  private gens = new Int32Array(1024);
  private head = 0;
  private tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(fd: number, gen: number): void {
    if (this.tail === this.fds.length) {
      const live = this.tail - this.head;
      if (this.head > 0 && live < this.fds.length / 2) {
        this.fds.copyWithin(0, this.head, this.tail);
        this.gens.copyWithin(0, this.head, this.tail);
      } else {
        const fds = new Int32Array(this.fds.length * 2);
        const gens = new Int32Array(this.fds.length * 2);
        fds.set(this.fds.subarray(this.head, this.tail));
        gens.set(this.gens.subarray(this.head, this.tail));
        this.fds = fds;
        this.gens = gens;
      }
      this.head = 0;
      this.tail = live;
    }
    this.fds[this.tail] = fd;
    this.gens[this.tail] = gen;
    this.tail++;
  }

  peekFd(): number {
    return this.fds[this.head] as number;
  }

  peekGen(): number {
    return this.gens[this.head] as number;
  }

  shift(): void {
    this.head++;
    if (this.head === this.tail) this.head = this.tail = 0;
  }
}

/** Run one worker's share of a scan to completion (or until ctl[stop] is set). */
export function runProbes(job: ProbeJob): ProbeResult {
  const { libc: c, errno } = libc();
  const { states, ctl, order } = job;
  const errors: Record<string, number> = {};
  const countError = (e: number) => {
    const name = errnoNames[e] ?? `errno ${e}`;
    errors[name] = (errors[name] ?? 0) + 1;
  };
  const estimator = new RttEstimator(job.policy);
  const timeoutMs = () => job.fixedTimeoutMs ?? estimator.timeoutMs();

  // Memory shared with libc is always passed as the typed array itself, never as a cached
  // ptr(): the JIT otherwise forwards a store made before the call to a load after it, as if
  // libc had not written in between (measured: wrong SO_ERROR values after ~5000 calls).

  // Socket address of the target; the port (bytes 2-3, network order) changes per probe.
  const family = job.family === 6 ? AF_INET6 : AF_INET;
  const saLen = job.family === 6 ? 28 : 16;
  const sa = new Uint8Array(saLen);
  const saView = new DataView(sa.buffer);
  saView.setUint16(0, family, true);
  if (job.family === 6) {
    sa.set(job.address, 8);
    saView.setUint32(24, job.scopeId, true);
  } else {
    sa.set(job.address, 4);
  }
  const unspec = new Uint8Array(16); // AF_UNSPEC: dissolve a failed connect to reuse the socket

  const errBuf = new Int32Array(1);
  const lenBuf = new Uint32Array(1);
  const nameA = new Uint8Array(128);
  const nameB = new Uint8Array(128);
  const ev = new Uint8Array(EPOLL_EVENT_SIZE);
  const evView = new DataView(ev.buffer);
  const events = new Uint8Array(EPOLL_EVENT_SIZE * MAX_EVENTS);
  const eventsView = new DataView(events.buffer);
  const recvBuf = new Uint8Array(512);

  const ep = c.epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) throw new Error(`epoll_create1 failed: ${errnoNames[errno()] ?? errno()}`);

  // Per-descriptor bookkeeping, grown on demand (descriptors are small integers).
  let fdPort = new Int32Array(4096);
  let fdSent = new Float64Array(4096);
  let fdGen = new Int32Array(4096);
  let fdAttempt = new Uint8Array(4096);
  let fdMode = new Uint8Array(4096);
  let fdRegistered = new Uint8Array(4096);
  const grow = (fd: number) => {
    let size = fdPort.length;
    while (size <= fd) size *= 2;
    const g = <T extends Int32Array | Float64Array | Uint8Array>(
      a: T,
      make: (n: number) => T,
    ): T => {
      const b = make(size);
      b.set(a as never);
      return b;
    };
    fdPort = g(fdPort, (n) => new Int32Array(n));
    fdSent = g(fdSent, (n) => new Float64Array(n));
    fdGen = g(fdGen, (n) => new Int32Array(n));
    fdAttempt = g(fdAttempt, (n) => new Uint8Array(n));
    fdMode = g(fdMode, (n) => new Uint8Array(n));
    fdRegistered = g(fdRegistered, (n) => new Uint8Array(n));
  };

  // Probes waiting for an answer, one FIFO per attempt: a retry waits twice as long as the
  // try before it (as TCP backs off its own SYNs), so a slow answer on a loaded machine gets
  // a fairer chance before the port is called filtered. Within one queue every probe has the
  // same timeout, so the oldest is always the first due.
  const connecting = Array.from({ length: job.retries + 1 }, () => new FdQueue());
  const limitFor = (attempt: number) =>
    job.fixedTimeoutMs ?? Math.min(job.policy.ceilingMs, estimator.timeoutMs() * 2 ** attempt);
  const bannerWait = new FdQueue();
  const banners: Array<[number, string]> = [];
  const spares: number[] = [];
  // Ports waiting for another probe: after a local error (same attempt) or a timeout (next one).
  const againPorts: number[] = [];
  const againAttempts: number[] = [];
  const selfConnectTries = new Map<number, number>();
  let batch: Int32Array = new Int32Array(0);
  let batchPos = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  let cap = job.concurrency;
  let backoffMs = 0;
  let pauseUntil = 0;
  let lastLocalError = 0;
  let lastRaise = 0;
  let lastProgress = performance.now();
  let fatal: string | undefined;

  const finish = (port: number, state: number) => {
    states[port] = state;
    Atomics.add(ctl, state === OPEN ? CTL.open : state === CLOSED ? CTL.closed : CTL.filtered, 1);
    Atomics.add(ctl, CTL.done, 1);
  };

  const release = (fd: number) => {
    fdGen[fd] = ((fdGen[fd] as number) + 1) | 0;
    fdMode[fd] = MODE_FREE;
    fdRegistered[fd] = 0;
    c.close(fd);
  };

  /** A local resource error: the port goes back in line and the pace drops. */
  const localRetry = (port: number, attempt: number, e: number) => {
    countError(e);
    Atomics.add(ctl, CTL.localRetries, 1);
    againPorts.push(port);
    againAttempts.push(attempt);
    // What is in flight now is what this machine allows: stay there. With nothing in flight
    // only time frees resources (another process's descriptors, TIME_WAIT ports): pause.
    cap = Math.max(1, Math.min(cap, inFlight));
    const now = performance.now();
    lastLocalError = now;
    if (inFlight === 0 && now - lastProgress > STALL_MS) {
      // Not one probe could start for seconds: not a passing shortage but a machine that
      // cannot reach the target at all (e.g. EADDRNOTAVAIL: no usable source address).
      fatal ??= `cannot start probes for ${STALL_MS / 1000} s (${errnoNames[e] ?? `errno ${e}`})`;
    }
    if (inFlight === 0) {
      backoffMs = Math.min(100, backoffMs === 0 ? 5 : backoffMs * 2);
      pauseUntil = now + backoffMs;
    }
  };

  /** Did this connected socket connect to itself (simultaneous open on loopback)? */
  const isSelfConnect = (fd: number): boolean => {
    lenBuf[0] = 128;
    if (c.getsockname(fd, nameA, lenBuf) !== 0) return false;
    const lenA = lenBuf[0] as number;
    lenBuf[0] = 128;
    if (c.getpeername(fd, nameB, lenBuf) !== 0) return false;
    if (lenBuf[0] !== lenA) return false;
    const n = job.family === 6 ? 24 : 8;
    for (let i = 0; i < n; i++) if (nameA[i] !== nameB[i]) return false;
    return true;
  };

  const connected = (fd: number, port: number, attempt: number, sentAt: number, now: number) => {
    if (isSelfConnect(fd)) {
      // The kernel picked source port == destination port and the SYN met itself: nothing
      // listens there. Probe again (another source port) to be sure, then call it closed.
      Atomics.add(ctl, CTL.selfConnects, 1);
      release(fd);
      const tries = (selfConnectTries.get(port) ?? 0) + 1;
      selfConnectTries.set(port, tries);
      if (tries >= SELF_CONNECT_TRIES) finish(port, CLOSED);
      else {
        againPorts.push(port);
        againAttempts.push(attempt);
      }
      return;
    }
    estimator.sample(now - sentAt);
    finish(port, OPEN);
    if (job.bannerMs > 0) {
      fdMode[fd] = MODE_BANNER;
      fdPort[fd] = port;
      fdSent[fd] = now;
      evView.setUint32(0, EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP, true);
      evView.setUint32(EPOLL_DATA_OFFSET, fd, true);
      const op = fdRegistered[fd] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
      if (c.epoll_ctl(ep, op, fd, ev) === 0) {
        fdRegistered[fd] = 1;
        bannerWait.push(fd, fdGen[fd] as number);
        inFlight++;
        return;
      }
    }
    release(fd);
  };

  /**
   * A probe's connect failed with `e`. `reuse`: whether the socket may serve another probe
   * (not in epoll): REUSE_READY when the kernel already dissolved the attempt, REUSE_RESET
   * when it needs connect(AF_UNSPEC) first.
   */
  const failed = (
    fd: number,
    port: number,
    attempt: number,
    e: number,
    rttMs: number,
    reuse: number,
  ) => {
    if (e === ECONNREFUSED) {
      estimator.sample(rttMs);
      finish(port, CLOSED);
      if (
        reuse !== REUSE_NO &&
        spares.length < MAX_SPARES &&
        (reuse === REUSE_READY || c.connect(fd, unspec, 16) === 0)
      ) {
        spares.push(fd);
        return;
      }
      release(fd);
      return;
    }
    release(fd);
    if (LOCAL_ERRNOS.has(e)) {
      localRetry(port, attempt, e);
      return;
    }
    if (e === ENETUNREACH || e === ENETDOWN) {
      fatal ??= `network unreachable (${errnoNames[e]})`;
      return;
    }
    // Host unreachable, administratively prohibited, reset before completion: something in
    // the way answered instead of the port. nmap calls these filtered too.
    countError(e);
    finish(port, FILTERED);
  };

  const timeoutOrRetry = (fd: number, port: number, attempt: number) => {
    release(fd); // closing a SYN_SENT socket frees it at once
    if (attempt < job.retries) {
      Atomics.add(ctl, CTL.retries, 1);
      againPorts.push(port);
      againAttempts.push(attempt + 1);
    } else {
      finish(port, FILTERED);
    }
  };

  /** Look at a socket's state without waiting: 1 connected, 0 pending, or -errno. */
  const inspect = (fd: number): number => {
    lenBuf[0] = 4;
    errBuf[0] = 0;
    c.getsockopt(fd, SOL_SOCKET, SO_ERROR, errBuf, lenBuf);
    const e = errBuf[0] as number;
    if (e !== 0) return -e;
    lenBuf[0] = 128;
    return c.getpeername(fd, nameB, lenBuf) === 0 ? 1 : 0;
  };

  const launch = (port: number, attempt: number): void => {
    let fd = spares.pop() ?? -1;
    if (fd < 0) {
      fd = c.socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        localRetry(port, attempt, errno());
        return;
      }
      if (fd >= fdPort.length) grow(fd);
    }
    Atomics.add(ctl, CTL.probes, 1);
    sa[2] = port >> 8;
    sa[3] = port & 0xff;
    const sentAt = performance.now();
    const r = c.connect(fd, sa, saLen);
    const e = r === 0 ? 0 : errno();
    if (!LOCAL_ERRNOS.has(e)) lastProgress = sentAt;
    if (r === 0) {
      connected(fd, port, attempt, sentAt, performance.now());
      return;
    }
    if (e !== EINPROGRESS) {
      failed(fd, port, attempt, e, performance.now() - sentAt, REUSE_RESET);
      return;
    }
    // On loopback the handshake (or the RST) has usually completed inside connect() itself.
    // A second connect() reports it in one call: 0 once connected, the error once refused
    // (and the kernel dissolves the attempt, so the socket serves the next probe as it is),
    // EALREADY while still pending.
    const again = c.connect(fd, sa, saLen);
    const now = performance.now();
    const e2 = again === 0 ? 0 : errno();
    if (again === 0 || e2 === EISCONN) {
      connected(fd, port, attempt, sentAt, now);
      return;
    }
    if (e2 !== EALREADY && e2 !== EINPROGRESS) {
      failed(fd, port, attempt, e2, now - sentAt, e2 === ECONNREFUSED ? REUSE_READY : REUSE_NO);
      return;
    }
    evView.setUint32(0, EPOLLOUT | EPOLLERR | EPOLLHUP, true);
    evView.setUint32(EPOLL_DATA_OFFSET, fd, true);
    if (c.epoll_ctl(ep, EPOLL_CTL_ADD, fd, ev) !== 0) {
      const err = errno();
      release(fd);
      localRetry(port, attempt, err);
      return;
    }
    fdRegistered[fd] = 1;
    fdMode[fd] = MODE_CONNECTING;
    fdPort[fd] = port;
    fdSent[fd] = sentAt;
    fdAttempt[fd] = attempt;
    (connecting[attempt] as FdQueue).push(fd, fdGen[fd] as number);
    inFlight++;
    if (inFlight > peakInFlight) peakInFlight = inFlight;
  };

  /** Next port to probe: retries first, then a batch claimed from the shared cursor. */
  const nextWork = (): [number, number] | undefined => {
    const again = againPorts.pop();
    if (again !== undefined) return [again, againAttempts.pop() as number];
    if (batchPos >= batch.length) {
      const start = Atomics.add(ctl, CTL.cursor, BATCH);
      if (start >= order.length) return undefined;
      batch = order.subarray(start, Math.min(order.length, start + BATCH));
      batchPos = 0;
    }
    return [batch[batchPos++] as number, 0];
  };

  /** Read what an open port said; `final` at the deadline, else only if data is there. */
  const readBanner = (fd: number, final: boolean) => {
    const n = Number(c.recv(fd, recvBuf, recvBuf.length, MSG_DONTWAIT));
    if (n < 0 && !final && LOCAL_ERRNOS.has(errno())) return; // EAGAIN: spurious wake-up
    if (n > 0) {
      const text = Buffer.from(recvBuf.subarray(0, n)).toString("latin1");
      banners.push([fdPort[fd] as number, text]);
    }
    inFlight--;
    release(fd);
  };

  /** A probe's time is up: one last look at its socket, then retry or call it filtered. */
  const expire = (fd: number, now: number) => {
    inFlight--;
    fdMode[fd] = MODE_FREE;
    const port = fdPort[fd] as number;
    const attempt = fdAttempt[fd] as number;
    const status = inspect(fd);
    fdGen[fd] = ((fdGen[fd] as number) + 1) | 0;
    if (status === 1) connected(fd, port, attempt, fdSent[fd] as number, now);
    else if (status < 0) failed(fd, port, attempt, -status, now - (fdSent[fd] as number), REUSE_NO);
    else timeoutOrRetry(fd, port, attempt);
  };

  let exhausted = false;
  while (Atomics.load(ctl, CTL.stop) === 0 && fatal === undefined) {
    // Start probes up to the concurrency allowed right now.
    const started = performance.now();
    if (cap < job.concurrency && started - lastLocalError > 100 && started - lastRaise > 100) {
      cap = Math.min(job.concurrency, cap + Math.max(1, cap >> 3)); // probe upwards again
      lastRaise = started;
    }
    while (inFlight < cap && !exhausted && started >= pauseUntil) {
      const work = nextWork();
      if (!work) {
        exhausted = true;
        break;
      }
      const errorsBefore = lastLocalError;
      launch(work[0], work[1]);
      if (lastLocalError !== errorsBefore) break;
      backoffMs = 0;
    }
    if (exhausted && inFlight === 0 && againPorts.length === 0) break;
    if (againPorts.length > 0) exhausted = false;

    // Wait for answers, at most until the oldest probe is due.
    let waitMs = 0;
    if (pauseUntil > started) waitMs = Math.ceil(pauseUntil - started);
    else if (inFlight >= cap || exhausted) waitMs = 50;
    if (waitMs > 0) {
      const at = performance.now();
      connecting.forEach((queue, attempt) => {
        if (queue.length === 0) return;
        const due = (fdSent[queue.peekFd()] as number) + limitFor(attempt) - at;
        waitMs = Math.max(0, Math.min(waitMs, Math.ceil(due)));
      });
    }
    const n = inFlight > 0 || waitMs > 0 ? c.epoll_wait(ep, events, MAX_EVENTS, waitMs) : 0;
    if (n < 0 && errno() !== EINTR)
      throw new Error(`epoll_wait failed: ${errnoNames[errno()] ?? errno()}`);
    const now = performance.now();
    for (let i = 0; i < n; i++) {
      const fd = eventsView.getUint32(i * EPOLL_EVENT_SIZE + EPOLL_DATA_OFFSET, true);
      const mode = fdMode[fd];
      if (mode === MODE_BANNER) {
        readBanner(fd, false);
        continue;
      }
      if (mode !== MODE_CONNECTING) continue;
      const status = inspect(fd);
      if (status === 0) continue; // spurious wake-up
      inFlight--;
      fdMode[fd] = MODE_FREE;
      fdGen[fd] = ((fdGen[fd] as number) + 1) | 0;
      const port = fdPort[fd] as number;
      const attempt = fdAttempt[fd] as number;
      if (status === 1) connected(fd, port, attempt, fdSent[fd] as number, now);
      else failed(fd, port, attempt, -status, now - (fdSent[fd] as number), REUSE_NO);
    }

    // Time out overdue probes, oldest first; each gets a last look at its socket first, so an
    // answer that arrived while this thread was busy is never misread as silence.
    connecting.forEach((queue, attempt) => {
      const limit = limitFor(attempt);
      while (queue.length > 0) {
        const fd = queue.peekFd();
        if (queue.peekGen() !== fdGen[fd] || fdMode[fd] !== MODE_CONNECTING) {
          queue.shift();
          continue;
        }
        if (now - (fdSent[fd] as number) < limit) break;
        queue.shift();
        expire(fd, now);
      }
    });
    while (bannerWait.length > 0) {
      const fd = bannerWait.peekFd();
      if (bannerWait.peekGen() !== fdGen[fd] || fdMode[fd] !== MODE_BANNER) {
        bannerWait.shift();
        continue;
      }
      if (now - (fdSent[fd] as number) < job.bannerMs) break;
      bannerWait.shift();
      readBanner(fd, true);
    }
  }

  // Stopped or finished: release every descriptor this worker still holds.
  for (let fd = 0; fd < fdMode.length; fd++) if (fdMode[fd] !== MODE_FREE) release(fd);
  for (const fd of spares) c.close(fd);
  c.close(ep);
  return {
    banners,
    srttMs: estimator.smoothedMs,
    rttvarMs: estimator.variationMs,
    samples: estimator.samples,
    timeoutMs: timeoutMs(),
    errors,
    peakInFlight,
    fatal,
  };
}

/** Make this Worker answer one ProbeJob message with its ProbeResult. */
export function serveProbes(): void {
  const scope = globalThis as unknown as {
    onmessage: ((event: MessageEvent<ProbeJob>) => void) | null;
  };
  scope.onmessage = (event: MessageEvent<ProbeJob>) => {
    try {
      postMessage(runProbes(event.data));
    } catch (error) {
      postMessage({ error: (error as Error).message });
    }
  };
}
