// What a probe Worker may send to each host now, and how many tries a port of it gets: the
// per-host policies of congestion.ts (AIMD window, retries that grow once the host shows loss)
// and rst-limit.ts (hosts that cap their RSTs: held, then paced), kept per host and per Worker.
// Each Worker sees its share of a host's probes, so its window and its measure of the host's
// RST rate are its share too: the sum over Workers is the host's.
import { type CongestionPolicy, DEFAULT_CONGESTION, HostCongestion } from "./congestion.ts";
import { icmpRateLimit, silentPortRetries } from "./icmp-limit.ts";
import { DEFAULT_RST_LIMIT, RstRateLimit } from "./rst-limit.ts";

/** Tries of a port of a host that has not answered yet: 300 + 600 + 1200 ms reach 1.2 s. */
export const SILENT_HOST_RETRIES = 2;
const UPDATE_EVERY_MS = 100;
/** A paced host may catch up this much time lost between loop turns (a burst of a few probes). */
const PACE_CREDIT_MS = 20;

/** What the per-host policies read of the probe settings (model/settings.ts ProbeSettings). */
export interface HostControlSettings {
  retries: number;
  fixedTimeoutMs: number | null;
  respectRstRatelimit: boolean;
  /** "udp": port-unreachable is the rationed answer (icmp-limit.ts) instead of the RST. */
  transport?: string;
  respectIcmpRatelimit?: boolean;
}

class HostState {
  inFlight = 0;
  /** No probe before this time (its RST pace). */
  nextSendAt = 0;
  /** The window has been cut once: from then on it caps the host (see canSend). */
  congested = false;
  timeouts = 0;
  /** A probe timed out before the host had answered at all (it may be silent: see mayLaunch). */
  silentTimeout = false;
  /** A port answered only on a retry: the path loses probes. */
  lossy = false;
  /** When this host first answered (Infinity: not yet). */
  firstAnswerAt = Number.POSITIVE_INFINITY;

  constructor(
    readonly congestion: HostCongestion,
    readonly rst: RstRateLimit,
  ) {}
}

export class HostControl {
  private readonly hosts: Array<HostState | undefined> = [];
  private readonly congestionPolicy: CongestionPolicy;
  private lastUpdate = 0;

  private readonly retries: number;
  /** Adaptive timeouts (no -t): a silent host's tries back off and may need more of them. */
  private readonly adaptive: boolean;
  private readonly respectRstRatelimit: boolean;
  private readonly settings: HostControlSettings;

  /** `concurrency`: this Worker's part of -c, the most any one host's window may grow to. */
  constructor(probe: HostControlSettings, concurrency: number) {
    this.retries = probe.retries;
    this.adaptive = probe.fixedTimeoutMs === null;
    this.respectRstRatelimit = probe.respectRstRatelimit;
    this.settings = probe;
    this.congestionPolicy = {
      ...DEFAULT_CONGESTION,
      maxWindow: Math.max(1, concurrency),
      baseRetries: probe.retries,
      maxRetries: Math.max(probe.retries, DEFAULT_CONGESTION.maxRetries),
    };
  }

  private state(host: number): HostState {
    let s = this.hosts[host];
    if (!s) {
      const rst =
        this.settings.transport === "udp"
          ? icmpRateLimit(this.settings.respectIcmpRatelimit !== false)
          : new RstRateLimit({ ...DEFAULT_RST_LIMIT, enabled: this.respectRstRatelimit });
      s = new HostState(new HostCongestion(this.congestionPolicy), rst);
      this.hosts[host] = s;
    }
    return s;
  }

  /**
   * May try `attempt` of a port of `host` go now? The AIMD window caps a host only once it has
   * been cut by loss: a silent host (-Pn, or filtered ports) never grows it, and would otherwise
   * crawl at the initial 10 probes in flight.
   */
  mayLaunch(host: number, attempt: number, now: number): boolean {
    const s = this.state(host);
    const windowed = s.congested || s.firstAnswerAt < now || !s.silentTimeout;
    // A host paced to its RST rate is held by the pace: its timeouts are the limiter's drops,
    // and the window they would cut is not what bounds it.
    if (windowed && !s.rst.limited && !s.congestion.canSend(s.inFlight)) return false;
    if (!(attempt > 0 ? s.rst.mayRetry(attempt, now) : s.rst.maySend(now))) return false;
    return now >= s.nextSendAt;
  }

  /** A probe went to `host` at `now` and waits in epoll (not settled inside connect()). */
  launched(host: number, now: number): void {
    const s = this.state(host);
    s.inFlight++;
    s.rst.onSent(now);
    const rate = s.rst.paceRate();
    // Credit for a late turn (the loop looks at held entries every 5 ms, so one probe a turn
    // sent ~165/s under a 320/s pace: RST-limited host 29.7 s, under the host's 200/s cap).
    if (rate !== undefined)
      s.nextSendAt = Math.max(s.nextSendAt, now - PACE_CREDIT_MS) + 1000 / rate;
  }

  /** `host` is another host now (the engine reuses its slot): start it afresh. */
  forget(host: number): void {
    this.hosts[host] = undefined;
  }

  /** A probe of `host` that waited in epoll is over. */
  ended(host: number): void {
    const s = this.state(host);
    if (s.inFlight > 0) s.inFlight--;
  }

  /**
   * `host` answered try `attempt` sent at `sentAt` (`rst`: with a reset, the port closed); the
   * try before it, lost, went out at `lostAt`. Passing the answered try's time instead counted
   * every retry answered after a cut as a new loss: through a 2000 packets/s bottleneck the 1700
   * retries of one burst cut the window again and again, held at 4-6 for 2 s.
   */
  answered(
    host: number,
    attempt: number,
    sentAt: number,
    lostAt: number,
    now: number,
    rst: boolean,
  ): void {
    const s = this.state(host);
    // A try sent before the host had answered at all waited a guessed timeout (timing.ts backs
    // it off): a far host answers its third try, which is distance, not loss (a 700 ms host was
    // cut to a window of 1 and took 19 s for 201 ports).
    const guessed = sentAt < s.firstAnswerAt;
    s.firstAnswerAt = Math.min(s.firstAnswerAt, now);
    const lost = guessed ? 0 : attempt;
    const before = s.congestion.window;
    s.congestion.onAnswer(lost, lost > 0 ? lostAt : sentAt, now, now - sentAt);
    if (s.congestion.window < before) s.congested = true;
    if (lost > 0) s.lossy = true;
    // Nor is it an RST limit (a 700 ms host was paced at 6 probes/s).
    if (rst) s.rst.onRst(lost, now);
  }

  timedOut(host: number, sentAt: number): void {
    const s = this.state(host);
    if (sentAt < s.firstAnswerAt) {
      s.silentTimeout ||= s.firstAnswerAt === Number.POSITIVE_INFINITY;
      return; // a guessed timeout, see answered()
    }
    s.timeouts++;
    s.rst.onTimeout(sentAt);
  }

  /** The last try number a timed-out port of `host` gets (0-based). */
  lastAttempt(host: number, answeredYet: boolean): number {
    const s = this.state(host);
    // More tries only for a host that has shown loss: filtered ports are the ones that pay.
    const grown = s.lossy ? s.congestion.retries : this.retries;
    let retries =
      this.settings.transport === "udp"
        ? silentPortRetries(s.rst, { grown, base: this.retries })
        : s.rst.retries(grown);
    // A host that never answered may be far: tries that back off reach 1.2 s (timing.ts).
    if (!answeredYet && this.adaptive) retries = Math.max(retries, SILENT_HOST_RETRIES);
    return Math.max(this.retries, retries);
  }

  /** Let the RST-limit detectors judge the seconds that are over (every 100 ms). */
  update(now: number, settleMs: (host: number) => number): void {
    if (now - this.lastUpdate < UPDATE_EVERY_MS) return;
    this.lastUpdate = now;
    this.hosts.forEach((s, host) => {
      if (s && s.timeouts > 0) s.rst.update(now, settleMs(host));
    });
  }

  /** Is `host` being paced down to its RST rate? */
  isRstLimited(host: number): boolean {
    return this.hosts[host]?.rst.limited ?? false;
  }
}
