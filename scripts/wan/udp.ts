// Numbered UDP datagrams across the WAN lab, to measure what the link does to them: loss,
// one-way delay and its spread, reordering, delivered rate, and the forwarder's capacity.
// Both processes read the same wall clock (performance.timeOrigin + now(): Bun's hrtime has a
// per-process origin), so the sink reads one-way delays off the sender's timestamps.
//   bun scripts/wan/udp.ts sink ADDRESS PORT [--idle MS] [--max MS]
//       prints "ready", then when no datagram came for --idle ms (default 1000) after the
//       first one, or after --max ms in all (default 20000): one JSON line (SinkReport)
//   bun scripts/wan/udp.ts send ADDRESS PORT COUNT [--pps N]
//       sends COUNT datagrams (as fast as possible, or paced at N/s); one JSON line (SendReport)

/** Datagram: u32 sequence number, f64 send time (ms, wall clock), padding to 64 bytes. */
const SIZE = 64;

export interface SinkReport {
  received: number;
  /** Datagrams whose number is below one received before them. */
  reordered: number;
  /** Delivered rate between the first and last arrival, per second. */
  pps: number;
  delayMs: { min: number; median: number; max: number };
}

export interface SendReport {
  sent: number;
  /** Sends the kernel refused (buffer full). */
  refused: number;
  seconds: number;
}

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export async function sink(
  address: string,
  port: number,
  idleMs: number,
  maxMs: number,
): Promise<SinkReport> {
  const delays: number[] = [];
  let highest = -1;
  let reordered = 0;
  let first = 0;
  let last = 0;
  const socket = await Bun.udpSocket({
    hostname: address,
    port,
    socket: {
      data(_s, buf) {
        const t = nowMs();
        const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
        const seq = view.getUint32(0);
        if (seq < highest) reordered++;
        else highest = seq;
        delays.push(t - view.getFloat64(4));
        if (!first) first = t;
        last = t;
      },
    },
  });
  console.log("ready");
  const start = nowMs();
  while (nowMs() - start < maxMs && !(first && nowMs() - last > idleMs)) await Bun.sleep(20);
  socket.close();
  delays.sort((a, b) => a - b);
  const pick = (q: number) =>
    Math.round((delays[Math.floor(q * (delays.length - 1))] ?? 0) * 100) / 100;
  return {
    received: delays.length,
    reordered,
    pps: delays.length > 1 ? Math.round(((delays.length - 1) * 1000) / (last - first)) : 0,
    delayMs: { min: pick(0), median: pick(0.5), max: pick(1) },
  };
}

export async function send(
  address: string,
  port: number,
  count: number,
  pps: number,
): Promise<SendReport> {
  const socket = await Bun.udpSocket({});
  const packet = new Uint8Array(SIZE);
  const view = new DataView(packet.buffer);
  const start = nowMs();
  let refused = 0;
  for (let seq = 0; seq < count; seq++) {
    if (pps > 0) {
      const due = start + (seq * 1000) / pps;
      while (nowMs() < due) await Bun.sleep(Math.max(0, Math.min(5, due - nowMs())));
    } else if (seq % 256 === 0) await Bun.sleep(0); // let the socket drain now and then
    view.setUint32(0, seq);
    view.setFloat64(4, nowMs());
    if (!socket.send(packet, port, address)) refused++;
  }
  const seconds = (nowMs() - start) / 1000;
  socket.close();
  return { sent: count - refused, refused, seconds: Math.round(seconds * 1000) / 1000 };
}

if (import.meta.main) {
  const [mode, address = "", portText = "", ...rest] = process.argv.slice(2);
  const option = (name: string, fallback: number) => {
    const i = rest.indexOf(name);
    return i >= 0 ? Number(rest[i + 1]) : fallback;
  };
  const port = Number(portText);
  if (mode === "sink")
    console.log(
      JSON.stringify(await sink(address, port, option("--idle", 1000), option("--max", 20_000))),
    );
  else if (mode === "send")
    console.log(JSON.stringify(await send(address, port, Number(rest[0]), option("--pps", 0))));
  else {
    console.error(
      "usage: udp.ts sink ADDRESS PORT [--idle MS] [--max MS] | send ADDRESS PORT COUNT [--pps N]",
    );
    process.exit(2);
  }
}
