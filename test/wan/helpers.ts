// What the WAN lab's tests share: whether a lab can be built here (tests skip with the reason
// if not), and the measuring programs of scripts/wan run inside the lab's namespaces.
import { join } from "node:path";
import { runCommand } from "../../scripts/lib/run.ts";
import { WanLab } from "../../scripts/lib/wan.ts";
import type { SendReport, SinkReport } from "../../scripts/wan/udp.ts";

const WAN = join(import.meta.dir, "..", "..", "scripts", "wan");
export const PROBE = join(WAN, "probe.ts");
export const UDP = join(WAN, "udp.ts");

/** Why no lab can be built here, or null. */
export const wanUnavailable = await WanLab.unavailableReason();
if (wanUnavailable) console.warn(`WAN lab tests skipped: ${wanUnavailable}`);

/** Run argv to completion (bounded); its stdout lines parsed as JSON. */
export async function jsonLines<T>(argv: string[], timeoutMs = 20_000): Promise<T[]> {
  const ran = await runCommand(argv, { timeoutMs });
  if (ran.code !== 0) throw new Error(`${argv.join(" ")} exited ${ran.code}: ${ran.stderr.trim()}`);
  return ran.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as T);
}

export interface Probed {
  address: string;
  port: number;
  result: string;
  ms: number;
}

/** TCP connects from the scanner namespace, one at a time, with the kernel's errno. */
export function probe(
  lab: WanLab,
  targets: string[],
  timeoutMs = 1000,
  repeat = 1,
): Promise<Probed[]> {
  const argv = [
    process.execPath,
    PROBE,
    "--timeout",
    String(timeoutMs),
    "--repeat",
    String(repeat),
  ];
  return jsonLines<Probed>(lab.scannerCommand([...argv, ...targets]));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

/**
 * COUNT numbered datagrams from the scanner to port 9000 of the first host, paced at `pps`;
 * what the sink in the target namespace saw, and what the sender managed to send.
 */
export async function udpAcross(
  lab: WanLab,
  count: number,
  pps: number,
): Promise<{ sink: SinkReport; send: SendReport }> {
  const address = lab.hosts[0]?.address as string;
  const sinkArgv = [
    process.execPath,
    UDP,
    "sink",
    address,
    "9000",
    "--idle",
    "400",
    "--max",
    "15000",
  ];
  const sinkProc = Bun.spawn(lab.targetCommand(sinkArgv), { stdout: "pipe", timeout: 20_000 });
  const reader = sinkProc.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("ready")) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error("the UDP sink did not start");
    text += decoder.decode(chunk.value);
  }
  const sendArgv = [
    process.execPath,
    UDP,
    "send",
    address,
    "9000",
    String(count),
    "--pps",
    String(pps),
  ];
  const [send] = await jsonLines<SendReport>(lab.scannerCommand(sendArgv));
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) break;
    text += decoder.decode(chunk.value);
  }
  const line = text.split("\n").find((l) => l.startsWith("{"));
  if (!line || !send) throw new Error("no report from the UDP sink or sender");
  return { sink: JSON.parse(line) as SinkReport, send };
}
