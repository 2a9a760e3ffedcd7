// `tp-scan [TARGET]... [-- NMAP-ARGS]`: the command's flags and help; the work is in ../run/.
import { type ArgsDef, defineCommand } from "citty";
import { allowExtraPositionals, VERSION } from "../../shared/cli.ts";
import { helpMeta } from "../../shared/help.ts";
import { checkNmapArgs } from "../output/handoff.ts";
import {
  BANNER_WAIT_MS,
  DEFAULT_CONCURRENCY,
  DEFAULT_RETRIES,
  runScan,
  scanSettings,
} from "../run/run.ts";
import { ENGINE_FLAG } from "../transport/engine-flag.ts";
import { dbArg } from "./_db-arg.ts";
import { nmapNoOpArgs, refuseRepeatedFlags } from "./_nmap-args.ts";
import { outputArgs, outputTargets, resumeArg, splitPassThrough } from "./_output-args.ts";
import { targetArgs } from "./_target-args.ts";

const HELP_SECTIONS = [
  {
    title: "nmap's command line",
    lines: [
      "-p, -p-, -iL, --exclude, --top-ports, -F, -Pn, -sT, -sS, -sU, -S, -g, --host-timeout and",
      "-oN/-oG/-oX/-oA mean what they mean to nmap; -n, -v, -T3-5 are accepted and change nothing.",
      "A flag with a value given twice is refused, as nmap refuses two -p: -p 80,81, not -p 80 -p 81.",
    ],
  },
  {
    title: "Exit codes",
    lines: [
      "0    the scan is done",
      "1    something failed: a name that does not resolve, an unreachable network, an nmap run after --",
      "2    usage error: a bad flag, target or file (one line on stderr, before any probe)",
      "130  interrupted (Ctrl-C): what was found so far is printed first",
    ],
  },
];

/** The flags of the scan, each with the placeholder the help and completions show. */
const scanArgs = {
  target: {
    type: "positional",
    description: "Targets: names, addresses, ranges (192.0.2.1-20), CIDR (192.0.2.0/24)",
    required: false,
  },
  ...targetArgs,
  ports: {
    type: "string",
    alias: "p",
    description: "Ports: 22,80,8000-8100, or - (as in -p-) for all; default all 65535",
  },
  concurrency: {
    type: "string",
    alias: "c",
    default: String(DEFAULT_CONCURRENCY),
    valueHint: "N",
    description: "Probes in flight at once",
  },
  timeout: {
    type: "string",
    alias: "t",
    valueHint: "DURATION",
    description: "Fixed probe timeout (500ms, 2s; bare number = ms); default adaptive",
  },
  retries: {
    type: "string",
    default: String(DEFAULT_RETRIES),
    valueHint: "N",
    description: "Extra probes of a port that timed out before calling it filtered",
  },
  ordered: {
    type: "boolean",
    description: "Probe hosts and ports in ascending order (default: seeded shuffle)",
  },
  json: { type: "boolean", description: "Print one JSON document (schema in docs/scan.md)" },
  list: {
    type: "boolean",
    description: "Print only the open ports as a comma list (for nmap -p)",
  },
  show: {
    type: "string",
    valueHint: "closed|filtered",
    description: "Also print these states (one, or both as closed,filtered)",
  },
  reason: {
    type: "boolean",
    description: "Say why each port has its state (syn-ack, conn-refused, ...), as nmap",
  },
  banner: {
    type: "boolean",
    description: `Show what each open port says first (waits up to ${BANNER_WAIT_MS} ms)`,
  },
  "skip-discovery": {
    type: "boolean",
    alias: "Pn",
    description: "No host discovery: scan every port of every host, even silent ones",
  },
  "host-timeout": {
    type: "string",
    valueHint: "DURATION",
    description: "Give up on a host after this long (30s, 5m), reporting what it has",
  },
  rate: {
    type: "string",
    valueHint: "N",
    description: "At most N connection attempts per second in all, evenly paced",
  },
  udp: {
    type: "boolean",
    alias: "sU",
    description:
      "UDP scan: service payloads; a reply is open, port-unreachable closed, silence open|filtered",
  },
  "defeat-icmp-ratelimit": {
    type: "boolean",
    description: "-sU: do not slow retries to a host's ICMP rate limit (open ports only matter)",
  },
  "defeat-rst-ratelimit": {
    type: "boolean",
    description: "Do not slow retries to a host's RST rate limit (open ports only matter)",
  },
  engine: ENGINE_FLAG,
  "syn-scan": {
    type: "boolean",
    alias: "sS",
    description: "SYN scan from a raw socket (Linux, IPv4, root or CAP_NET_RAW); no --banner",
  },
  "connect-scan": {
    type: "boolean",
    alias: "sT",
    description: "connect() scan, the default (any system, no privilege)",
  },
  "source-address": {
    type: "string",
    alias: "S",
    valueHint: "ADDR",
    description: "-sS: send from this IPv4 address",
  },
  "source-port": {
    type: "string",
    alias: "g",
    valueHint: "PORT",
    description: "-sS: send from this one port",
  },
  seed: {
    type: "string",
    valueHint: "N",
    description: "Seed of the probe order (0-4294967295); shards of one scan share it",
  },
  shard: {
    type: "string",
    valueHint: "I/N",
    description: "Scan part I of N of the work space (I/N); the N parts of a seed are disjoint",
  },
  ...nmapNoOpArgs,
  ...outputArgs,
  ...resumeArg,
  ...dbArg,
} as const satisfies ArgsDef;

export const scanCommand = allowExtraPositionals(
  defineCommand({
    meta: helpMeta({
      name: "tp-scan",
      version: VERSION,
      description:
        "Find the open TCP ports of one or more hosts with full connects, fast and exact.",
      usage: "[TARGET]... [-- NMAP-ARGS]",
      arguments: [
        [
          "-- NMAP-ARGS",
          "Run nmap -p OPEN NMAP-ARGS HOST on each host as it is done; nmap checks NMAP-ARGS before the scan starts",
        ],
      ],
      sections: HELP_SECTIONS,
    }),
    args: scanArgs,
    async run({ args: parsed, rawArgs }) {
      refuseRepeatedFlags(scanArgs, rawArgs);
      // `-- NMAP-ARGS`: hand each host's open ports to nmap (see ../output/handoff.ts).
      const { args, passThrough } = splitPassThrough(parsed as Record<string, unknown>, rawArgs);
      const settings = scanSettings(args);
      const outputs = outputTargets(args);
      // nmap reads its arguments before any probe: a typo there fails now, not after a host.
      if (passThrough) await checkNmapArgs(passThrough);
      process.exitCode = await runScan(settings, {
        outputs,
        nmapArgs: passThrough,
        resume: (args.resume as string | undefined) ?? null,
        db: (args.db as string | undefined) ?? null,
      });
    },
  }),
);
