// The forwarder's capacity: a UDP flood from the scanner namespace to an absent address (the
// target side drops it silently, so nothing but the forwarder does work per packet), with no
// delay, loss or cap; the forwarder's counters sampled every 250 ms. While the scanner side's
// TUN queue overflows (packets the forwarder did not read in time), the forwarder is the
// bottleneck and its delivered rate is its capacity.
//   bun scripts/wan/capacity.ts [--senders N] [--count N]
import { WanLab } from "../lib/wan.ts";

const UDP = `${import.meta.dir}/udp.ts`;
const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const senders = option("--senders", 2);
const count = option("--count", 400_000);

const lab = await WanLab.up({ hosts: 1, absent: 1 });
try {
  const target = lab.absentAddresses[0] as string;
  const procs = Array.from({ length: senders }, () =>
    Bun.spawn(lab.scannerCommand([process.execPath, UDP, "send", target, "9", String(count)]), {
      stdout: "ignore",
    }),
  );
  const rates: number[] = [];
  let last = { t: performance.now(), out: (await lab.counters()).toTarget.out };
  const done = Promise.all(procs.map((p) => p.exited));
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    await Bun.sleep(250);
    const now = { t: performance.now(), out: (await lab.counters()).toTarget.out };
    rates.push(((now.out - last.out) * 1000) / (now.t - last.t));
    last = now;
  }
  const counters = (await lab.counters()).toTarget;
  rates.sort((a, b) => b - a);
  const sent = senders * count;
  console.log(
    JSON.stringify({
      sent,
      forwarded: counters.out,
      tunDropped: (await lab.tunDrops()).toTarget,
      peakPps: Math.round(rates[0] ?? 0),
      medianPps: Math.round(rates[Math.floor(rates.length / 2)] ?? 0),
      cpus: navigator.hardwareConcurrency,
    }),
  );
} finally {
  await lab.down();
}
