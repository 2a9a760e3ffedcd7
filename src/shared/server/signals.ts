// Signals that stop a server: SIGINT (Ctrl-C), SIGTERM (kill, systemd), SIGHUP (the terminal
// running the server was closed); on Windows SIGBREAK (Ctrl-Break) instead of SIGTERM, which
// it never delivers (src/shared/platform.ts). The first one stops gracefully; another one
// during the grace period cuts the remaining clients at once, still closing the listener.
import type { ConsolaInstance } from "consola";
import { stopSignals } from "../platform.ts";
import { plural } from "../plural.ts";

type StopSignal = NodeJS.Signals;

/** What serveUntilSignal needs from a server. */
export interface Stoppable {
  readonly clientCount: number;
  readonly handler: { readonly noun: string; inProgress?(): number };
  stop(): Promise<void>;
  /** Stop waiting for goodbyes to flush: cut whoever is left now. */
  hurry(): void;
}

/**
 * Start a server and serve until SIGINT, SIGTERM or SIGHUP, then stop gracefully; resolves
 * once stopped. The signal handlers go in before listening, so that a signal sent as soon as
 * "listening on" shows is not lost (it would kill the process: exit 143, no goodbyes).
 */
export async function serveUntilSignal(
  start: () => Stoppable,
  log: ConsolaInstance,
): Promise<void> {
  let first: ((signal: StopSignal) => void) | undefined;
  const signalled = new Promise<StopSignal>((resolve) => {
    first = resolve;
  });
  let count = 0;
  const onSignal = (signal: StopSignal) => {
    count++;
    if (count === 1) first?.(signal);
    else {
      log.warn(`${signal} again: cutting the remaining clients now`);
      server?.hurry();
    }
  };
  const listeners = stopSignals().map((signal) => {
    const listener = () => onSignal(signal);
    process.on(signal, listener);
    return [signal, listener] as const;
  });
  let server: Stoppable | undefined;
  try {
    server = start();
  } catch (error) {
    for (const [s, listener] of listeners) process.off(s, listener);
    throw error;
  }
  const signal = await signalled;
  const active = server.handler.inProgress?.() ?? server.clientCount;
  log.info(`${signal}: stopping, ${plural(active, server.handler.noun)} interrupted`);
  // The listeners stay: a signal between "stopped" and the exit would otherwise take the
  // default action (exit 143). They do not keep the process alive.
  await server.stop();
}
