// The shape of bench/results/latest.json, shared by the runners and the pure renderers.
import type { Summary } from "./stats.ts";

export interface Machine {
  date: string;
  cpuModel: string;
  cores: number;
  kernel: string;
  bun: string;
  node: string | null;
  nmap: string | null;
  /** 1-minute load average when the run started: other work on the machine adds noise. */
  loadAvg: number[];
  /** 1/5/15-minute load averages when the run ended. */
  loadAvgEnd?: number[];
  root: boolean;
}

export interface EchoRun {
  clients: number;
  size: number;
  depth: number;
  windowMs: number;
  messages: number;
  messagesPerSec: number;
  mbPerSec: number;
  p50Ms: number;
  p99Ms: number;
  loadgenCpuMs: number;
  serverCpuMs: number | null;
  rssBeforeKb: number | null;
  rssConnectedKb: number | null;
  rssPeakKb: number | null;
  errors: number;
  errorSamples: string[];
}

export interface EchoCaseSummary {
  server: string;
  clients: number;
  depth: number;
  runs: EchoRun[];
  messagesPerSec: Summary;
  mbPerSec: Summary;
  p50Ms: Summary;
  p99Ms: Summary;
  /** CPU of the load generator and of the server during the window, as a fraction of one core. */
  loadgenCpu: Summary;
  serverCpu: Summary;
  /** Server CPU time per message, in microseconds: its cost, whoever the bottleneck is. */
  serverUsPerMessage: Summary;
  rssConnectedKb: Summary;
  rssPeakKb: Summary;
  errors: number;
}

export interface EchoResults {
  skipped?: string;
  notes: string[];
  ours: string;
  peers: string[];
  cases: EchoCaseSummary[];
}

export interface GuessCase {
  max: string;
  bound: number;
  games: number;
  parallel: number;
  gamesPerSec: Summary;
  meanGuesses: Summary;
  worstGuesses: number;
  wins: number;
  played: number;
  botCpu: Summary;
  serverCpu: Summary;
  rawSamples: string[];
}

export interface GuessResults {
  skipped?: string;
  notes: string[];
  cases: GuessCase[];
}

export interface ScanTool {
  /** "tp-scan", "nmap -sT -T4", ... */
  name: string;
  ours: boolean;
  wallMs: Summary;
  portsPerSec: Summary;
  /** Every run found exactly the listening ports (after re-checking mismatches). */
  exact: boolean | null;
  runs: number;
  /** Runs stopped at the time limit. */
  timedOut: number;
  /** The time limit of one run, in ms. */
  limitMs?: number;
  details: string[];
  skipped?: string;
}

export interface ScanCase {
  id: "loopback" | "lab-mixed" | "lab-filtered";
  title: string;
  ports: number;
  tools: ScanTool[];
  notes: string[];
  skipped?: string;
}

export interface SweepPoint {
  concurrency: number;
  /** -t given, or null for the default adaptive timeout. */
  timeoutMs: number | null;
  /** The timeout used: -t, or what the adaptive estimator settled on. */
  settledTimeoutMs: number | null;
  wallMs: number;
  open: number;
  closed: number;
  filtered: number;
  /** Fraction of ports given their true state. */
  accuracy: number;
}

export interface ScanResults {
  skipped?: string;
  notes: string[];
  cases: ScanCase[];
  sweeps: Sweep[];
}

export interface Sweep {
  title: string;
  points: SweepPoint[];
  notes: string[];
  skipped?: string;
  expected?: { open: number; closed: number; filtered: number };
}

export interface TargetCheck {
  /** The bench section the target belongs to. */
  section: string;
  name: string;
  target: string;
  measured: string;
  /** null when it could not be measured in this run. */
  pass: boolean | null;
}

export interface BenchResults {
  quick: boolean;
  machine: Machine;
  durationMs: number;
  /** Each section's results by its name (EchoResults, GuessResults, ScanResults, ...); null when not run. */
  sections: Record<string, unknown>;
  targets: TargetCheck[];
}
