// The two servers as the torture cases drive them: how to start each, and one normal
// exchange (a probe) that must keep working whatever the other clients do.
import { Conn } from "./clients.ts";
import { type ServerProc, type StartOptions, startServer } from "./proc.ts";

export type Program = "echo" | "guess";

export const PROGRAMS: Program[] = ["echo", "guess"];

/** Longest line each server accepts by default (the bound counts it). */
export const MAX_LINE: Record<Program, number> = { echo: 64 * 1024, guess: 2048 };

/** What a client is told when the server stops, and when it is full. */
export const GOODBYE: Record<Program, string> = { echo: "Good Bye.", guess: "arrêt" };
export const REFUSAL: Record<Program, string> = { echo: "Serveur complet", guess: "complet" };

export function start(
  program: Program,
  flags: string[] = [],
  opts: StartOptions = {},
): Promise<ServerProc> {
  const argv = program === "echo" ? ["tp-echo", ...flags] : ["tp-guess", "server", ...flags];
  return startServer(argv, opts);
}

/** One normal exchange; resolves with its duration in ms, or undefined if it did not complete. */
export async function probe(
  program: Program,
  port: number,
  timeoutMs = 5000,
): Promise<number | undefined> {
  const t0 = performance.now();
  let c: Conn | undefined;
  try {
    c = await Conn.open(port);
    if (program === "echo") {
      if (!(await c.waitFor("Votre message ?\n", timeoutMs))) return undefined;
      await c.send("sonde\n");
      if (!(await c.waitFor("ECHO : sonde\n", timeoutMs))) return undefined;
    } else {
      if (!(await c.waitFor("maximum ?", timeoutMs))) return undefined;
      await c.send("10\n");
      if (!(await c.waitFor("nombre ?", timeoutMs))) return undefined;
    }
    return performance.now() - t0;
  } catch {
    return undefined;
  } finally {
    c?.reset();
  }
}
