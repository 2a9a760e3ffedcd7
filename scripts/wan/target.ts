// The target namespace T, built and read: interfaces, iptables (and ip6tables with ipv6), the
// ICMP budget, the listeners process, and the counting rules read back. Runs the system's tools;
// the text they are given comes from interfaces.ts and rules.ts.
import { join } from "node:path";
import { targetIpBatch } from "./interfaces.ts";
import type { Plan, WanOptions } from "./layout.ts";
import { type Family, ruleCounters, synCountsByAddress, targetRules } from "./rules.ts";
import { runOk, which } from "./sh.ts";

const LISTEN_SCRIPT = join(import.meta.dir, "listen.ts");

function inside(ns: string, argv: string[]): string[] {
  return ["ip", "netns", "exec", ns, ...argv];
}

function families(plan: Plan): Family[] {
  return plan.ipv6 ? [4, 6] : [4];
}

const TABLES = { 4: "iptables", 6: "ip6tables" } as const;

/** Addresses, routes, rules and the ICMP budget of T (its TUN device `dev` exists). */
export async function configureTarget(ns: string, plan: Plan, options: WanOptions, dev: string) {
  if (plan.ipv6 && !which("ip6tables-restore"))
    throw new Error("ipv6 needs 'ip6tables-restore' (iptables not fully installed)");
  const rules = families(plan).map((f) => [f, targetRules(plan, options, f)] as const);
  await runOk(["ip", "-n", ns, "-batch", "-"], targetIpBatch(plan, dev));
  for (const [family, text] of rules)
    await runOk(inside(ns, [`${TABLES[family]}-restore`, "--noflush"]), text);
  if (options.icmpRatelimitMs !== undefined) {
    const ms = Math.round(options.icmpRatelimitMs);
    const settings = [`net.ipv4.icmp_ratelimit=${ms}`];
    if (plan.ipv6) settings.push(`net.ipv6.icmp.ratelimit=${ms}`);
    await runOk(inside(ns, ["sysctl", "-qw", ...settings]));
  }
}

/** One process holding every host's listeners (IPv4 and IPv6 twins); null if none listen. */
export async function startListeners(
  ns: string,
  plan: Plan,
): Promise<Bun.Subprocess<"pipe", "pipe", "pipe"> | null> {
  const spec = plan.hosts
    .filter((h) => h.listen.length > 0)
    .flatMap((h) =>
      [h.address, h.address6]
        .filter((a): a is string => a !== undefined)
        .map((address) => ({ address, ports: h.listen, banner: h.banner })),
    );
  if (spec.length === 0) return null;
  const argv = inside(ns, [process.execPath, LISTEN_SCRIPT, JSON.stringify(spec)]);
  const proc = Bun.spawn(argv, { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  const reader = proc.stdout.getReader();
  const first = await Promise.race([reader.read(), Bun.sleep(20_000).then(() => null)]);
  reader.releaseLock();
  const text = first && !first.done ? new TextDecoder().decode(first.value) : "";
  if (!text.startsWith("ready")) {
    proc.kill();
    const err = (await new Response(proc.stderr).text()).trim();
    throw new Error(err || "the lab's listeners did not start");
  }
  return proc;
}

async function saved(ns: string, family: Family, table?: string): Promise<string> {
  return runOk(inside(ns, [`${TABLES[family]}-save`, "-c", ...(table ? ["-t", table] : [])]));
}

/** SYN and RST counters of T, both families added up. */
export async function readRuleCounters(ns: string, plan: Plan) {
  const all = await Promise.all(families(plan).map(async (f) => ruleCounters(await saved(ns, f))));
  return all.reduce((a, b) => ({
    syn: a.syn + b.syn,
    rstSent: a.rstSent + b.rstSent,
    rstDropped: a.rstDropped + b.rstDropped,
  }));
}

/** SYNs per address (IPv6 twins under their own address), from the per-address chain. */
export async function readSynCounts(ns: string, plan: Plan): Promise<Map<string, number>> {
  const maps = await Promise.all(
    families(plan).map(async (f) => synCountsByAddress(await saved(ns, f, "raw"))),
  );
  return new Map(maps.flatMap((m) => [...m]));
}
