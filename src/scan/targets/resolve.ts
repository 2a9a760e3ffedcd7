// Host names to addresses, many at once: a bounded number of lookups in flight, and a name
// that does not resolve costs one warning, not the scan. The lookup is injected, so tests
// need no network.
import { lookup as dnsLookup } from "node:dns/promises";
import type { NameTable, ResolvedName } from "./expand.ts";

export type Lookup = (name: string) => Promise<Array<{ address: string; family: number }>>;

export interface ResolveOptions {
  lookup?: Lookup;
  /** Lookups in flight at once (getaddrinfo blocks a thread of libuv's pool of 4 each). */
  concurrency?: number;
  /** Give up on one name after this long (a dead DNS server otherwise costs ~10 s a name). */
  timeoutMs?: number;
}

export interface NameResolution {
  names: NameTable;
  /** One line per name that did not resolve, in the user's order. */
  warnings: string[];
  failed: string[];
}

export const DEFAULT_RESOLVE_CONCURRENCY = 16;
export const DEFAULT_RESOLVE_TIMEOUT_MS = 10_000;

class LookupError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/**
 * getaddrinfo through node:dns (so /etc/hosts applies). Names under .invalid fail at once,
 * without asking any server: RFC 6761 §6.4 reserves them to never resolve.
 */
export const systemLookup: Lookup = async (name) => {
  if (/(^|\.)invalid\.?$/i.test(name)) throw new LookupError("ENOTFOUND");
  return dnsLookup(name, { all: true });
};

async function resolveOne(name: string, lookup: Lookup, timeoutMs: number): Promise<ResolvedName> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LookupError(`no answer in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const found = await Promise.race([lookup(name), timeout]);
    const first = found[0];
    if (!first) throw new LookupError("no address");
    const others = [...new Set(found.slice(1).map((a) => a.address))];
    return {
      address: first.address,
      family: first.family === 6 ? 6 : 4,
      otherAddresses: others.filter((a) => a !== first.address),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Resolve every name (duplicates once), at most `concurrency` at a time. Never throws. */
export async function resolveNames(
  names: readonly string[],
  options: ResolveOptions = {},
): Promise<NameResolution> {
  const lookup = options.lookup ?? systemLookup;
  const timeoutMs = options.timeoutMs ?? DEFAULT_RESOLVE_TIMEOUT_MS;
  const unique = [...new Set(names)];
  const results = new Map<string, ResolvedName | string>();
  let next = 0;
  const worker = async () => {
    while (next < unique.length) {
      const name = unique[next++] as string;
      try {
        results.set(name, await resolveOne(name, lookup, timeoutMs));
      } catch (error) {
        const code = (error as { code?: string }).code ?? (error as Error).message;
        results.set(name, code);
      }
    }
  };
  const width = Math.max(
    1,
    Math.min(options.concurrency ?? DEFAULT_RESOLVE_CONCURRENCY, unique.length),
  );
  await Promise.all(Array.from({ length: width }, worker));
  const table = new Map<string, ResolvedName>();
  const warnings: string[] = [];
  const failed: string[] = [];
  for (const name of unique) {
    const result = results.get(name);
    if (typeof result === "object") table.set(name, result);
    else {
      failed.push(name);
      warnings.push(`cannot resolve '${name}' (${result}): skipped`);
    }
  }
  return { names: table, warnings, failed };
}
