// The target and port flags, once parsed, as settings (`targetSettings`: UsageError on anything
// wrong, reads -iL files), then the hosts (`resolveTargets`: every name resolved at once).
import { UsageError } from "../../shared/errors.ts";
import { type PortSelection, selectPorts } from "../ports/selection.ts";
import { loadPortRanking, NMAP_SERVICES } from "../ports/top-ports.ts";
import { checkTargetCount, countTargets, expandTargets, upperBound } from "./expand.ts";
import { type InputSource, readTargetList, systemInput } from "./input-file.ts";
import { type ResolveOptions, resolveNames } from "./resolve.ts";
import { TargetSpace } from "./space.ts";
import { parseTargetSpec, type TargetSpec } from "./spec.ts";
import type { Target } from "./target.ts";

export interface TargetSettings extends PortSelection {
  /** The targets as given (positionals, then -iL), in order, and the exclusions. */
  targetSpecs: string[];
  excludeSpecs: string[];
  targets: TargetSpec[];
  excludes: TargetSpec[];
  allowMany: boolean;
}

function optional(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Validate the target and port flags (UsageError on anything wrong; reads -iL files). */
export function targetSettings(
  args: Record<string, unknown>,
  input: InputSource = systemInput,
): TargetSettings {
  const inputList = optional(args["input-list"]);
  const excludeFile = optional(args["exclude-file"]);
  if (inputList === "-" && excludeFile === "-")
    throw new UsageError("-iL and --exclude-file cannot both read stdin");
  const positionals = ((args._ as unknown[] | undefined) ?? []).filter(
    (a): a is string => typeof a === "string" && a !== "",
  );
  const targetSpecs = [
    ...positionals,
    ...(inputList === undefined ? [] : readTargetList(inputList, "-iL", input)),
  ];
  if (targetSpecs.length === 0 && inputList !== undefined)
    throw new UsageError(
      `-iL: no target in ${inputList === "-" ? "stdin" : `'${inputList}'`} (empty, or only comments)`,
    );
  if (targetSpecs.length === 0)
    throw new UsageError("no target given (a host, an address, a range, a CIDR block or -iL FILE)");
  const excludeList = optional(args.exclude);
  const excludeSpecs = [
    ...(excludeList === undefined ? [] : excludeList.split(",").filter((s) => s.trim() !== "")),
    ...(excludeFile === undefined ? [] : readTargetList(excludeFile, "--exclude-file", input)),
  ];
  if (excludeList !== undefined && excludeSpecs.length === 0)
    throw new UsageError("--exclude: empty list");
  const targets = targetSpecs.map((s) => parseTargetSpec(s, "target"));
  const excludes = excludeSpecs.map((s) => parseTargetSpec(s, "--exclude"));
  const allowMany = args["allow-many"] === true;
  checkTargetCount(targets, excludes, allowMany);
  // -sU: --top-ports and -F take nmap-services' UDP ranking (with -sS/-sT: these are the TCP
  // pass's ports; run/udp-pass.ts ranks the UDP pass's).
  const tcpToo = args["syn-scan"] === true || args["connect-scan"] === true;
  const protocol = args.udp === true && !tcpToo ? "udp" : "tcp";
  const ports = selectPorts(
    {
      ports: optional(args.ports),
      topPorts: optional(args["top-ports"]),
      fast: args.fast === true,
      excludePorts: optional(args["exclude-ports"]),
    },
    () => loadPortRanking(NMAP_SERVICES, protocol),
  );
  return { ...ports, targetSpecs, excludeSpecs, targets, excludes, allowMany };
}

export interface ResolvedTargets {
  /** The hosts to scan, in the user's order, each address once; lazy, and iterable again. */
  targets: Iterable<Target>;
  /** The same hosts as an indexed space (space.ts): what a scan takes, never expanded. */
  space: TargetSpace;
  /** How many: exact up to COUNT_EXACT_LIMIT candidates, else an upper bound. */
  count: number;
  countIsExact: boolean;
  /** One line per name that did not resolve ("cannot resolve 'x' (ENOTFOUND): skipped"). */
  warnings: string[];
  /** Names that did not resolve: non-zero means exit status 1 once the scan is done. */
  failed: number;
}

/** Beyond this many candidates the count is not worth a pass of its own (2^20: 0.2 s here). */
export const COUNT_EXACT_LIMIT = 1 << 20;

/** Resolve every host name (targets and exclusions) at once, never throwing for one of them. */
export async function resolveTargets(
  settings: Pick<TargetSettings, "targets" | "excludes">,
  options: ResolveOptions = {},
): Promise<ResolvedTargets> {
  const names = [...settings.targets, ...settings.excludes]
    .filter((s) => s.kind === "name")
    .map((s) => s.text);
  const resolution = await resolveNames(names, options);
  const { targets: specs, excludes } = settings;
  const targets = { [Symbol.iterator]: () => expandTargets(specs, excludes, resolution.names) };
  const bound = Number(upperBound(specs));
  const countIsExact = bound <= COUNT_EXACT_LIMIT;
  const count = countIsExact
    ? countTargets(specs, excludes, resolution.names, COUNT_EXACT_LIMIT)
    : bound;
  return {
    targets,
    space: TargetSpace.fromSpecs(specs, excludes, resolution.names),
    count,
    countIsExact,
    warnings: resolution.warnings,
    failed: resolution.failed.length,
  };
}
