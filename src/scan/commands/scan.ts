// `tp-scan HOST [HOST...]`: the command's flags; the work is in ../run.ts.
import { defineCommand } from "citty";
import { allowExtraPositionals, VERSION } from "../../shared/cli.ts";
import {
  BANNER_WAIT_MS,
  DEFAULT_CONCURRENCY,
  DEFAULT_RETRIES,
  runScan,
  scanSettings,
} from "../run/run.ts";
import { ENGINE_FLAG } from "../transport/engine-flag.ts";
import { dbArg } from "./_db-arg.ts";
import { outputArgs, outputTargets, resumeArg, splitPassThrough } from "./_output-args.ts";
import { targetArgs } from "./_target-args.ts";

export const scanCommand = allowExtraPositionals(
  defineCommand({
    meta: {
      name: "tp-scan",
      version: VERSION,
      description:
        "Find the open TCP ports of one or more hosts with full connects, fast and exact.",
    },
    args: {
      host: {
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
        description: "Probes in flight at once",
      },
      timeout: {
        type: "string",
        alias: "t",
        description: "Fixed probe timeout (500ms, 2s; bare number = ms); default adaptive",
      },
      retries: {
        type: "string",
        default: String(DEFAULT_RETRIES),
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
      show: { type: "string", description: "Also print these states: closed,filtered" },
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
        description: "Give up on a host after this long (30s, 5m), reporting what it has",
      },
      rate: {
        type: "string",
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
        description:
          "-sU: do not slow retries to a host's ICMP rate limit (open ports only matter)",
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
        description: "Seed of the probe order (0-4294967295); shards of one scan share it",
      },
      shard: {
        type: "string",
        description: "Scan part I of N of the work space (I/N); the N parts of a seed are disjoint",
      },
      ...outputArgs,
      ...resumeArg,
      ...dbArg,
    },
    async run({ args: parsed, rawArgs }) {
      // `-- NMAP-ARGS`: hand each host's open ports to nmap (see ../handoff.ts).
      const { args, passThrough } = splitPassThrough(parsed as Record<string, unknown>, rawArgs);
      process.exitCode = await runScan(scanSettings(args), {
        outputs: outputTargets(args),
        nmapArgs: passThrough,
        resume: (args.resume as string | undefined) ?? null,
        db: (args.db as string | undefined) ?? null,
      });
    },
  }),
);
