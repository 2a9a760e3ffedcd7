// Port -> service name, from /etc/services where it exists, else an embedded table.
import { existsSync, readFileSync } from "node:fs";
import { EMBEDDED_SERVICES } from "./services-table.ts";

export type ServiceTable = Map<number, string>;

/** Parse the services(5) format, keeping the first name given to each TCP port. */
export function parseServices(text: string): ServiceTable {
  const table: ServiceTable = new Map();
  for (const rawLine of text.split("\n")) {
    const line = rawLine.replace(/#.*/, "").trim();
    if (line === "") continue;
    const [name, portProto] = line.split(/\s+/);
    const match = /^(\d+)\/tcp$/.exec(portProto ?? "");
    if (!name || !match) continue;
    const port = Number(match[1]);
    if (port >= 1 && port <= 65535 && !table.has(port)) table.set(port, name);
  }
  return table;
}

export function embeddedServices(): ServiceTable {
  const table: ServiceTable = new Map();
  for (const pair of EMBEDDED_SERVICES.split(" ")) {
    const [port, name] = pair.split(":");
    if (port && name) table.set(Number(port), name);
  }
  return table;
}

let cached: { table: ServiceTable; source: string } | undefined;

/** The service table of this machine and where it came from. */
export function loadServices(path = "/etc/services"): { table: ServiceTable; source: string } {
  if (cached && path === "/etc/services") return cached;
  let result: { table: ServiceTable; source: string } | undefined;
  if (existsSync(path)) {
    try {
      const table = parseServices(readFileSync(path, "utf8"));
      if (table.size > 0) result = { table, source: path };
    } catch {
      // unreadable: fall back below
    }
  }
  result ??= { table: embeddedServices(), source: "embedded" };
  if (path === "/etc/services") cached = result;
  return result;
}
