// Listeners of the WAN lab's target hosts, all in one process inside the target namespace
// (one Bun per host would cost ~30 MB each): argv[2] is a JSON list of
// {address, ports, banner?}. Prints "ready" once every listener is up, exits when stdin closes
// or on SIGTERM/SIGINT. Each listener comes from scripts/listeners.ts (accept, banner, close).
import { type Listeners, openListeners } from "../listeners.ts";

interface HostListeners {
  address: string;
  ports: number[];
  banner?: string;
}

const hosts = JSON.parse(process.argv[2] ?? "[]") as HostListeners[];
const open: Listeners[] = [];
const quit = async (code: number) => {
  await Promise.all(open.map((l) => l.stop()));
  process.exit(code);
};
try {
  for (const host of hosts) {
    const options = { host: host.address, ports: host.ports };
    open.push(
      await openListeners(
        host.banner === undefined ? options : { ...options, banner: host.banner },
      ),
    );
  }
} catch (error) {
  console.error(`wan listeners: ${(error as Error).message}`);
  await quit(1);
}
console.log("ready");
process.on("SIGTERM", () => quit(0));
process.on("SIGINT", () => quit(0));
process.stdin.on("end", () => quit(0));
process.stdin.resume();
