// Pure parsers for what the bench reads from other tools: nmap's grepable output,
// /proc/<pid>/stat and /proc/<pid>/status (`ss -ltnH`: scripts/lib/ss.ts).

/** Open TCP ports from `nmap -oG -` output (all hosts). */
export function parseNmapGrepable(text: string): number[] {
  const open = new Set<number>();
  for (const line of text.split("\n")) {
    const m = /\tPorts: (.*?)(\t|$)/.exec(line);
    if (!m?.[1]) continue;
    for (const entry of m[1].split(",")) {
      const [port, state, proto] = entry.trim().split("/");
      if (state === "open" && proto === "tcp") open.add(Number(port));
    }
  }
  return [...open].sort((a, b) => a - b);
}

/** nmap's own elapsed time from `# Nmap done at ... scanned in 1.63 seconds`, in ms (null if absent). */
export function parseNmapElapsed(text: string): number | null {
  const m = /scanned in ([\d.]+) seconds/.exec(text);
  return m?.[1] ? Number(m[1]) * 1000 : null;
}

/** utime + stime in clock ticks from /proc/<pid>/stat (the command name may hold spaces or parens). */
export function parseProcStatTicks(text: string): number {
  const close = text.lastIndexOf(")");
  if (close < 0) throw new Error("not a /proc/<pid>/stat line");
  // Fields after the name start at field 3 (state); utime is field 14, stime field 15.
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const utime = Number(rest[14 - 3]);
  const stime = Number(rest[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error("bad /proc/<pid>/stat line");
  return utime + stime;
}

/** A "kB" field of /proc/<pid>/status, e.g. VmRSS or VmHWM; null when absent. */
export function parseStatusKb(text: string, field: string): number | null {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return m?.[1] ? Number(m[1]) : null;
}

/** Compare found open ports with the truth: what was missed and what was wrongly reported. */
export function diffPorts(
  found: readonly number[],
  truth: readonly number[],
): { missed: number[]; extra: number[] } {
  const f = new Set(found);
  const t = new Set(truth);
  return { missed: truth.filter((p) => !f.has(p)), extra: found.filter((p) => !t.has(p)) };
}

export interface BotSummary {
  games: number;
  wins: number;
  meanGuesses: number;
  worstGuesses: number;
  bound: number;
  gamesPerSec: number | null;
}

/**
 * The summary `tp-guess bot --games G` prints:
 *   games 200, wins 200, failures 0
 *   guesses: mean 18.91, worst 20, bound 20 (floor(log2 max)+1)
 *   time 0.41 s, 487.8 games/s
 * Null when the text does not hold the games and guesses lines.
 */
export function parseBotSummary(text: string): BotSummary | null {
  const g = /games:?\s+(\d+),\s*wins:?\s+(\d+)/i.exec(text);
  const q = /mean:?\s+([\d.]+),\s*worst:?\s+(\d+),\s*bound:?\s+(\d+)/i.exec(text);
  if (!g || !q) return null;
  const r = /([\d.]+)\s+games\/s/i.exec(text);
  return {
    games: Number(g[1]),
    wins: Number(g[2]),
    meanGuesses: Number(q[1]),
    worstGuesses: Number(q[2]),
    bound: Number(q[3]),
    gamesPerSec: r ? Number(r[1]) : null,
  };
}

export type ScanState = "open" | "closed" | "filtered";

/** Port states from a `tp-scan --json` document (first target), whatever states it reports. */
export function parseScanJsonStates(text: string): Map<number, ScanState> {
  const doc = JSON.parse(text) as {
    targets?: { ports?: { port: number; state: string }[] }[];
    ports?: { port: number; state: string }[];
  };
  const ports = doc.targets?.[0]?.ports ?? doc.ports ?? [];
  const states = new Map<number, ScanState>();
  for (const p of ports)
    if (p.state === "open" || p.state === "closed" || p.state === "filtered")
      states.set(p.port, p.state);
  return states;
}

/** The timeout an adaptive `tp-scan --json` run settled on, in ms (null if absent). */
export function parseScanJsonTimeout(text: string): number | null {
  const doc = JSON.parse(text) as { targets?: { timing?: { timeoutMs?: number } }[] };
  const t = doc.targets?.[0]?.timing?.timeoutMs;
  return typeof t === "number" ? t : null;
}

/**
 * Score reported states against the truth over ports first..last: counts as reported, and the
 * share of ports given their true state (a port the scan did not report counts as wrong).
 */
export function scoreStates(
  states: Map<number, ScanState>,
  first: number,
  last: number,
  truth: (port: number) => ScanState,
): { open: number; closed: number; filtered: number; accuracy: number } {
  let right = 0;
  const counts = { open: 0, closed: 0, filtered: 0 };
  for (let p = first; p <= last; p++) {
    const s = states.get(p);
    if (s) counts[s]++;
    if (s === truth(p)) right++;
  }
  return { ...counts, accuracy: right / (last - first + 1) };
}
