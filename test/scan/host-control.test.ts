import { describe, expect, test } from "bun:test";
import { HostControl } from "../../src/scan/policy/host-control.ts";

/** One host, -c 5000, 1 retry, adaptive timeout, RST-limit detection on. */
const control = () =>
  new HostControl({ retries: 1, fixedTimeoutMs: null, respectRstRatelimit: true }, 5000);

function launch(c: HostControl, count: number, now: number): number {
  let sent = 0;
  for (let i = 0; i < count && c.mayLaunch(0, 0, now); i++, sent++) c.launched(0, now);
  return sent;
}

describe("HostControl window", () => {
  test("a fresh host gets the initial window, not -c, before its first answer", () => {
    // Through a 2000 packets/s link with a 200-packet queue, ~1000 probes went before the
    // first answer and 1400 SYNs were dropped.
    const c = control();
    expect(launch(c, 1000, 0)).toBe(10);
    c.ended(0);
    c.answered(0, 0, 0, 0, 20, true);
    expect(launch(c, 1000, 20)).toBe(2); // the freed slot, and +1 for the answer (slow start)
  });

  test("a host silent past a timeout is not held to it (-Pn, a far host)", () => {
    const c = control();
    expect(launch(c, 1000, 0)).toBe(10);
    for (let i = 0; i < 10; i++) {
      c.ended(0);
      c.timedOut(0, 0);
    }
    expect(launch(c, 1000, 300)).toBe(1000);
  });

  test("retries answered after a cut do not cut again for the losses the cut answered", () => {
    const c = control();
    let now = 0;
    // Slow start to a wide window, then 200 ports lost together (an overflowing queue).
    for (let i = 0; i < 190; i++) {
      c.launched(0, now);
      c.ended(0);
      c.answered(0, 0, now, now, now + 20, true);
      now += 1;
    }
    const lostAt = now;
    now += 300;
    // Their retries are answered: the first ones cut the window to 1, the rest grew it back.
    for (let i = 0; i < 200; i++) {
      c.answered(0, 1, now, lostAt, now + 20, true);
      now += 1;
    }
    expect(launch(c, 1000, now)).toBeGreaterThan(50);
  });
});
