// The scanner's lab (scripts/lib/lab.ts: a network namespace built by scripts/lab.sh) as the
// bench lays it out: one network namespace whose loopback holds both cases,
//   mixed:    20000-22009: 21000-21999 SYN-dropped (filtered), 5 listeners, the rest closed
//   filtered: 30000-32000: every SYN dropped (2001 ports)
// Commands run inside it with `ip netns exec`, so all traffic stays on that namespace's loopback.
import { Lab, labUnavailable } from "../scripts/lib/lab.ts";

export type PortState = "open" | "closed" | "filtered";

export interface LabLayout {
  /** The -p argument covering the case, e.g. "20000-22009". */
  range: string;
  ports: number;
  open: number[];
  closed: number;
  filtered: number;
  /** True state of a port of the range. */
  stateOf(port: number): PortState;
  first: number;
  last: number;
}

export interface BenchLab {
  lab: Lab;
  host: string;
  mixed: LabLayout;
  filtered: LabLayout;
}

function layout(
  first: number,
  last: number,
  dropFirst: number,
  dropLast: number,
  open: number[],
): LabLayout {
  const ports = last - first + 1;
  const filtered = Math.max(0, Math.min(last, dropLast) - Math.max(first, dropFirst) + 1);
  return {
    range: `${first}-${last}`,
    ports,
    open,
    filtered,
    closed: ports - filtered - open.length,
    first,
    last,
    stateOf: (p) =>
      p >= dropFirst && p <= dropLast ? "filtered" : open.includes(p) ? "open" : "closed",
  };
}

export const MIXED = layout(20000, 22009, 21000, 21999, [20001, 20500, 20999, 22000, 22009]);
export const ALL_FILTERED = layout(30000, 32000, 30000, 32000, []);

/** Build the lab, or throw saying why it cannot be built here (not root, no iptables, ...). */
export async function openLab(): Promise<BenchLab> {
  const unavailable = labUnavailable();
  if (unavailable) throw new Error(unavailable);
  const lab = await Lab.create({
    tag: "bench",
    drops: [
      `${MIXED.first + 1000}:${MIXED.first + 1999}`,
      `${ALL_FILTERED.first}:${ALL_FILTERED.last}`,
    ],
  });
  try {
    await lab.listen(MIXED.open);
  } catch (error) {
    await lab.destroy();
    throw new Error(`lab listeners did not start: ${(error as Error).message.split("\n")[0]}`);
  }
  return { lab, host: "127.0.0.1", mixed: MIXED, filtered: ALL_FILTERED };
}
