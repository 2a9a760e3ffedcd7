// Ports a scan test knows the state of: its own listeners on 127.0.0.1 (open) and ports it
// just found free (closed). Other programs may listen elsewhere on this loopback.
import type { TCPSocketListener } from "bun";
import { freePort } from "../../scripts/lib/net.ts";

export interface KnownPorts {
  open: number[];
  closed: number[];
  /** Both, as a -p list. */
  spec: string;
  stop(): void;
}

export async function knownPorts(openCount: number, closedCount: number): Promise<KnownPorts> {
  const listeners: TCPSocketListener[] = [];
  for (let i = 0; i < openCount; i++)
    listeners.push(Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } }));
  const open = listeners.map((l) => l.port).sort((a, b) => a - b);
  const closed: number[] = [];
  while (closed.length < closedCount) {
    const p = await freePort();
    if (!open.includes(p) && !closed.includes(p)) closed.push(p);
  }
  return {
    open,
    closed,
    spec: [...open, ...closed].join(","),
    stop: () => {
      for (const l of listeners) l.stop(true);
    },
  };
}
