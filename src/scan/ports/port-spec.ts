// Port lists: the `-p` syntax (nmap's) and the probe order. Pure, no I/O.
import { UsageError } from "../../shared/errors.ts";

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

function parseBound(text: string, spec: string, flag: string): number {
  if (!/^\d+$/.test(text))
    throw new UsageError(`${flag}: '${spec}' is not a port or a range of ports`);
  const n = Number(text);
  if (n < MIN_PORT || n > MAX_PORT) {
    throw new UsageError(`${flag}: port ${text} is out of range (${MIN_PORT}-${MAX_PORT})`);
  }
  return n;
}

/**
 * Parse a port list: `22,80,8000-8100`, open ranges `-1024` and `60000-`, `-` (what `-p-`
 * becomes) or `all` for every port. Returns the ports sorted, without duplicates.
 * Throws a UsageError (exit 2) on 0, ports above 65535, reversed ranges and garbage, naming
 * `flag` (-p, --exclude-ports).
 */
export function parsePortSpec(spec: string, flag = "-p"): number[] {
  const text = spec.trim();
  if (text === "-" || text.toLowerCase() === "all") return allPorts();
  if (text === "") throw new UsageError(`${flag}: empty port list`);
  const seen = new Uint8Array(MAX_PORT + 1);
  for (const raw of text.split(",")) {
    const item = raw.trim();
    if (item === "") throw new UsageError(`${flag}: empty item in '${spec}'`);
    const dash = item.indexOf("-");
    if (dash < 0) {
      seen[parseBound(item, item, flag)] = 1;
      continue;
    }
    const lowText = item.slice(0, dash);
    const highText = item.slice(dash + 1);
    if (lowText === "" && highText === "") {
      seen.fill(1, MIN_PORT);
      continue;
    }
    const low = lowText === "" ? MIN_PORT : parseBound(lowText, item, flag);
    const high = highText === "" ? MAX_PORT : parseBound(highText, item, flag);
    if (low > high)
      throw new UsageError(`${flag}: reversed range '${item}' (did you mean ${high}-${low}?)`);
    seen.fill(1, low, high + 1);
  }
  const ports: number[] = [];
  for (let p = MIN_PORT; p <= MAX_PORT; p++) if (seen[p]) ports.push(p);
  return ports;
}

export function allPorts(): number[] {
  return Array.from({ length: MAX_PORT }, (_, i) => i + MIN_PORT);
}

/** Compress a sorted port list into nmap-style ranges: [1,2,3,7] -> "1-3,7". */
export function formatPortRanges(ports: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < ports.length) {
    const start = ports[i] as number;
    let end = start;
    while (i + 1 < ports.length && ports[i + 1] === end + 1) end = ports[++i] as number;
    parts.push(start === end ? `${start}` : `${start}-${end}`);
    i++;
  }
  return parts.join(",");
}
