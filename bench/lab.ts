// The scanner's test lab (scripts/lab.sh, written with tp-scan) seen from the bench: a network
// namespace whose loopback has closed, SYN-dropped (filtered) and listening ports. Commands run
// inside it with `ip netns exec`, so all traffic stays on that namespace's loopback.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./proc.ts";

export type PortState = "open" | "closed" | "filtered";

export interface LabLayout {
  /** The -p argument covering the case, e.g. "20000-22000". */
  range: string;
  ports: number;
  open: number[];
  closed: number;
  filtered: number;
  /** True state of a port of the range. */
  stateOf(port: number): PortState;
}

export interface Lab {
  host: string;
  exec(argv: string[]): string[];
  mixed: LabLayout;
  filtered: LabLayout;
  close(): Promise<void>;
  /** Port states from `tp-scan --json` output. */
  parseStates(stdout: string): Map<number, PortState>;
  /** Counts and the fraction of ports of the layout given their true state. */
  score(
    states: Map<number, PortState>,
    layout: LabLayout,
  ): { open: number; closed: number; filtered: number; accuracy: number };
}

export async function openLab(): Promise<Lab> {
  const script = join(ROOT, "scripts/lab.sh");
  if (!existsSync(script))
    throw new Error("scripts/lab.sh is not there yet (it lands with tp-scan)");
  throw new Error("scripts/lab.sh support not wired yet");
}
