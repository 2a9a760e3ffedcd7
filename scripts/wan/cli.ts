// The WAN lab by hand or from a shell bench: bun scripts/wan/cli.ts COMMAND (usage below).
import { WanLab } from "../lib/wan.ts";
import { type HostSpec, parseSpec, type WanOptions } from "./layout.ts";

const USAGE = `usage: bun scripts/wan/cli.ts COMMAND
  check      exit 0 if a WAN lab can be built here, else say why (exit 1)
  gc         delete labs left by processes that no longer exist
  up [OPTIONS] [-- CMD [ARG...]]
             build a lab; with CMD, run it inside the scanner namespace, print the counters
             on stderr, tear down and exit with CMD's status; without, print the layout and
             stay up until Ctrl-C (SIGUSR1 prints counters)
OPTIONS (link settings apply to both directions; one-way values):
  --delay MS --jitter MS --loss PCT --pps N --queue N
  --to-target SPEC --to-scanner SPEC
                        one direction's overrides: delay=MS,jitter=MS,loss=PCT,pps=N,queue=N
  --hosts N             live target hosts (default 1), 198.19.1.1 onwards
  --listen PORTS        listeners on every host (22,80,8000-8010)
  --drop-syn PORTS      SYN-dropped (filtered) ports on every host
  --banner TEXT         greeting of every listener
  --absent N  --unreachable N  --rst-per-second N  --seed N
  --interleave          absent/unreachable addresses mixed among the hosts (seeded)
  --ipv6                every address also has an IPv6 twin: 198.19.X.Y ↔ 2001:2::X:Y
  --syn-per-address     count SYNs per target address too (reported at the end)`;

const BOOLEAN: Record<string, keyof WanOptions> = {
  "--interleave": "interleave",
  "--ipv6": "ipv6",
  "--syn-per-address": "synPerAddress",
};

const NUMERIC: Record<string, keyof WanOptions> = {
  "--delay": "delayMs",
  "--jitter": "jitterMs",
  "--loss": "lossPct",
  "--pps": "pps",
  "--queue": "queue",
  "--absent": "absent",
  "--unreachable": "unreachable",
  "--rst-per-second": "rstPerSecond",
  "--seed": "seed",
};

/** Options and the command to run from `up`'s argv; throws on a bad option. */
export function parseUp(argv: string[]): { options: WanOptions; command: string[] } {
  const options: Record<string, unknown> = {};
  const host: HostSpec = {};
  let hosts = 1;
  let i = 0;
  for (; i < argv.length && argv[i] !== "--"; i++) {
    const flag = argv[i] as string;
    const boolean = BOOLEAN[flag];
    if (boolean) {
      options[boolean] = true;
      continue;
    }
    const key = NUMERIC[flag];
    const valued = ["--hosts", "--listen", "--drop-syn", "--banner", "--to-target", "--to-scanner"];
    if (!key && !valued.includes(flag)) throw new Error(`unknown option ${flag}`);
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (key) {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new Error(`${flag}: not a number '${value}'`);
      options[key] = n;
    } else if (flag === "--hosts") hosts = Number(value);
    else if (flag === "--to-target") options.toTarget = parseSpec(value);
    else if (flag === "--to-scanner") options.toScanner = parseSpec(value);
    else if (flag === "--listen") host.listen = value.split(",");
    else if (flag === "--drop-syn") host.dropSyn = value.split(",");
    else host.banner = value;
  }
  if (!Number.isInteger(hosts) || hosts < 0) throw new Error("--hosts wants a whole number");
  options.hosts = Array.from({ length: hosts }, () => host);
  return { options: options as WanOptions, command: argv.slice(i + 1) };
}

function describe(lab: WanLab): string {
  const lines = [
    `scanner ${lab.scannerAddress} in namespace ${lab.scannerNs}`,
    `targets in namespace ${lab.targetNs}`,
  ];
  lab.hosts.forEach((h, i) => {
    const twin = h.address6 ? ` ${h.address6}` : "";
    lines.push(`${lab.hostNames[i]} ${h.address}${twin} listen ${h.listen.join(",") || "-"}`);
  });
  const absent = [...lab.absentAddresses, ...lab.absentAddresses6];
  const unreachable = [...lab.unreachableAddresses, ...lab.unreachableAddresses6];
  if (absent.length) lines.push(`absent ${absent.join(" ")}`);
  if (unreachable.length) lines.push(`unreachable ${unreachable.join(" ")}`);
  lines.push(`run inside: ${lab.scannerCommand([]).join(" ")} CMD`);
  return lines.join("\n");
}

async function report(lab: WanLab): Promise<string> {
  const [counters, syn, rst] = await Promise.all([lab.counters(), lab.synCount(), lab.rstCounts()]);
  const perAddress = await lab.synCounts().catch(() => null); // null without --syn-per-address
  const synByAddress = perAddress ? { synByAddress: Object.fromEntries(perAddress) } : {};
  return `wan: ${JSON.stringify({ ...counters, synToTarget: syn, rst, ...synByAddress })}`;
}

async function up(argv: string[]): Promise<number> {
  const { options, command } = parseUp(argv);
  const lab = await WanLab.up(options);
  const stop = () => lab.down().then(() => process.exit(130));
  process.on("SIGTERM", stop);
  if (command.length === 0) {
    console.log(describe(lab));
    process.on("SIGINT", stop);
    process.on("SIGUSR1", () => void report(lab).then(console.log));
    await new Promise(() => {}); // until a signal
  }
  // Ctrl-C goes to the command (same process group); the lab reports and goes down after it.
  process.on("SIGINT", () => {});
  const proc = Bun.spawn(lab.scannerCommand(command), { stdio: ["inherit", "inherit", "inherit"] });
  const code = await proc.exited;
  console.error(await report(lab));
  await lab.down();
  return code;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "check") {
      const reason = await WanLab.unavailableReason();
      console.log(reason ?? "the WAN lab can be built here");
      return reason ? 1 : 0;
    }
    if (command === "gc") {
      for (const name of await WanLab.gc()) console.log(`removed ${name}`);
      return 0;
    }
    if (command === "up") return await up(rest);
    console.log(USAGE);
    return command === undefined || command === "help" || command === "--help" ? 0 : 2;
  } catch (error) {
    console.error(`wan: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
