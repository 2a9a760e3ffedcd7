// Slots cannot be held for free: tricklers, clients that leave with output queued, floods to
// --max-clients and past it, and a server short of descriptors.
import { cpuMsOf } from "../proc.ts";
import { Conn, openMany } from "./clients.ts";
import { openFiles } from "./proc.ts";
import { probe, REFUSAL, start } from "./programs.ts";
import type { Outcome, Scale, TortureCase } from "./types.ts";

async function slowloris(s: Scale): Promise<Outcome> {
  const maxClients = s.quick ? 50 : 200;
  const deadlineMs = 2000;
  const server = await start("echo", [
    "--quiet",
    "--max-clients",
    String(maxClients),
    "--line-timeout",
    `${deadlineMs}ms`,
  ]);
  const tricklers = await openMany(server.port, Math.round(maxClients * 1.5));
  try {
    // A slot freed meanwhile (the start-up check's own connection) is taken by one more.
    await Bun.sleep(200);
    tricklers.push(...(await openMany(server.port, 2)));
    let trickling = true;
    const trickle = (async () => {
      for (let i = 0; trickling && i < 40; i++) {
        for (const c of tricklers) if (!c.closed) c.trySend(new Uint8Array([0x61]));
        await Bun.sleep(300);
      }
    })();
    await Bun.sleep(500);
    const refused = await Conn.open(server.port);
    const wasFull = await refused.waitFor(REFUSAL.echo, 2000);
    refused.reset();
    // Past the deadline and one sweep, the tricklers are gone and a normal client is served.
    await Bun.sleep(deadlineMs + 1000);
    const ms = await probe("echo", server.port, 1000);
    trickling = false;
    await trickle;
    const cut = tricklers.filter((c) => c.closed).length;
    const pass = wasFull && ms !== undefined && ms < 100;
    return {
      pass,
      figures: `${tricklers.length} tricklers for ${maxClients} slots: full before the deadline ${wasFull ? "yes" : "no"}; ${cut} cut or refused; probe after ${deadlineMs} ms + a sweep answered in ${ms?.toFixed(1) ?? "-"} ms`,
    };
  } finally {
    for (const c of tricklers) c.reset();
    await server.stop();
  }
}

async function finWithQueue(s: Scale): Promise<Outcome> {
  const count = s.quick ? 10 : 40;
  // 16 MB of echoes each: more than the kernel's buffers both ways (~10 MB on loopback). A cap high enough that FIN is read with megabytes still queued; no idle timeout, so only
  // the closing timeout (5 s) can release them.
  const server = await start("echo", ["--quiet", "--idle-timeout", "0", "--max-pending", "64m"]);
  try {
    await Bun.sleep(200);
    const baseline = openFiles(server.proc.pid);
    const conns = await openMany(server.port, count, { paused: true });
    const payload = new TextEncoder().encode(`${`${"f".repeat(999)}\n`.repeat(16 * 1024)}FIN\n`);
    await Promise.all(conns.map((c) => c.send(payload, 20_000)));
    // The clients do not read, so they cannot see the close: watch the server's descriptors.
    const t0 = performance.now();
    while (openFiles(server.proc.pid) > baseline + 2 && performance.now() - t0 < 10_000)
      await Bun.sleep(100);
    const took = performance.now() - t0;
    const fds = openFiles(server.proc.pid);
    const released = count - Math.max(0, fds - baseline);
    for (const c of conns) c.reset();
    // Held by their queues (>= 4 s: not flushed at once), released by the closing timeout.
    const pass = took >= 4000 && took < 8000 && fds <= baseline + 2;
    return {
      pass,
      figures: `${released}/${count} released ${(took / 1000).toFixed(1)} s after sending 16 MB + FIN each; descriptors ${baseline} -> ${fds}`,
    };
  } finally {
    await server.stop();
  }
}

async function pastMaxClients(s: Scale): Promise<Outcome> {
  const maxClients = s.quick ? 500 : 2500;
  const extra = s.quick ? 100 : 500;
  const server = await start("echo", ["--quiet", "--max-clients", String(maxClients)]);
  try {
    await Bun.sleep(200);
    const baseline = openFiles(server.proc.pid);
    const conns = await openMany(server.port, maxClients + extra);
    await Promise.all(conns.map((c) => c.waitFor(/Votre message \?|Serveur complet/, 10_000)));
    const served = conns.filter((c) => c.text.includes("Votre message ?")).length;
    const refused = conns.filter((c) => c.text.includes(REFUSAL.echo)).length;
    for (const c of conns) c.close();
    await Promise.all(conns.map((c) => c.waitClosed(5000)));
    await Bun.sleep(500);
    const fds = openFiles(server.proc.pid);
    const pass =
      served === maxClients && refused === conns.length - maxClients && fds <= baseline + 2;
    return {
      pass,
      figures: `${conns.length} clients for ${maxClients} slots: ${served} served, ${refused} refused with the line; descriptors ${baseline} -> ${fds} after they left`,
    };
  } finally {
    await server.stop();
  }
}

async function outOfDescriptors(_s: Scale): Promise<Outcome> {
  const limit = 256;
  const server = await start("echo", ["--max-clients", "4096"], { fileLimit: limit });
  try {
    await Bun.sleep(300);
    const lowered = /lowered to (\d+)/.exec(server.log());
    const allowed = Number(lowered?.[1] ?? 0);
    const conns = await openMany(server.port, 400);
    await Promise.all(conns.map((c) => c.waitFor(/Votre message \?|Serveur complet/, 5000)));
    const served = conns.filter((c) => c.text.includes("Votre message ?")).length;
    const refused = conns.filter((c) => c.text.includes(REFUSAL.echo)).length;
    const cpu0 = cpuMsOf(server.proc.pid) ?? 0;
    await Bun.sleep(2000);
    const cpuPct = ((cpuMsOf(server.proc.pid) ?? 0) - cpu0) / 20;
    const ms = await probe("echo", server.port, 2000).catch(() => undefined);
    for (const c of conns) c.reset();
    const pass =
      allowed > 0 &&
      allowed < limit &&
      served === allowed &&
      refused === conns.length - served &&
      cpuPct < 20;
    return {
      pass,
      figures: `open-file limit ${limit}: --max-clients lowered to ${allowed}; 400 clients: ${served} served, ${refused} refused with the line; CPU ${cpuPct.toFixed(1)}% while they stay; a probe (server full) ${ms === undefined ? "refused" : "answered"}`,
    };
  } finally {
    await server.stop();
  }
}

export const slotCases: TortureCase[] = [
  {
    name: "slowloris",
    promise: "tricklers are cut at --line-timeout; then a normal client is answered within 100 ms",
    quick: true,
    run: slowloris,
  },
  {
    name: "FIN with a full queue, never read",
    promise: "released within the 5 s closing timeout; descriptors back to baseline",
    quick: true,
    run: finWithQueue,
  },
  {
    name: "flood past --max-clients",
    promise:
      "exactly --max-clients served, the rest refused with the line; descriptors back to baseline",
    quick: true,
    run: pastMaxClients,
  },
  {
    name: "out of descriptors (limit 256)",
    promise:
      "--max-clients lowered to the limit at start; the rest refused with the line; no spinning",
    quick: false,
    run: outOfDescriptors,
  },
];
