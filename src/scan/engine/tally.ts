// A probe Worker's counts, kept locally and added to the shared memory once per loop turn:
// one atomic add per counter and host per turn instead of several per probe (two Workers
// adding to the same cache line for every loopback probe cost ~40% more CPU, measured with
// the full loopback range).
import { CTL, type SharedScan } from "./shared-memory.ts";

export class Tally {
  private readonly ctl = new Int32Array(CTL.size);
  private readonly leaving: Int32Array;
  private readonly sampled: Int32Array;
  private touched: number[] = [];

  constructor(hostCount: number) {
    this.leaving = new Int32Array(hostCount);
    this.sampled = new Int32Array(hostCount);
  }

  count(slot: number): void {
    this.ctl[slot] = (this.ctl[slot] as number) + 1;
  }

  /** One entry of `host` is over (or one of its pings, counted in its remaining: launch.ts). */
  leave(host: number): void {
    if (this.leaving[host] === 0 && this.sampled[host] === 0) this.touched.push(host);
    this.leaving[host] = (this.leaving[host] as number) + 1;
  }

  /** One more round trip measured on `host`. */
  sample(host: number): void {
    if (this.leaving[host] === 0 && this.sampled[host] === 0) this.touched.push(host);
    this.sampled[host] = (this.sampled[host] as number) + 1;
  }

  /**
   * Add everything to `shared`; push onto `finals` the hosts whose last entry this was, and
   * call `sampled` for each host measured since the last flush (before its final count).
   */
  flush(shared: SharedScan, finals: number[], sampled: (host: number) => void): void {
    for (let slot = 0; slot < CTL.size; slot++) {
      const n = this.ctl[slot] as number;
      if (n === 0) continue;
      Atomics.add(shared.ctl, slot, n);
      this.ctl[slot] = 0;
    }
    for (const host of this.touched) {
      const left = this.leaving[host] as number;
      const samples = this.sampled[host] as number;
      this.leaving[host] = 0;
      this.sampled[host] = 0;
      if (samples > 0) {
        sampled(host);
        Atomics.add(shared.samples, host, samples);
      }
      if (left === 0) continue;
      // The last entry of a host: final, or (a host already out of the scan, reported then)
      // drained, so that its slot may go to another host (host-window.ts).
      if (Atomics.sub(shared.remaining, host, left) === left) finals.push(host);
    }
    this.touched = [];
  }
}
