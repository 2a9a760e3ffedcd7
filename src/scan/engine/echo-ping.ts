// The ICMP echo part of a host's pings (discovery.ts): sent with its connect pings once its
// discovery ports are spent, where this Worker could open an echo socket (transport/icmp-echo.ts;
// IPv4 only); replies are read once per loop turn, and an echo unanswered within the pings'
// timeout counts as one more silent ping. It is counted in flight so that the loop waits for it.
import { addressKey } from "../transport/icmp-echo.ts";
import type { LoopState } from "./loop-state.ts";
import { echoEnded, PING_ATTEMPT } from "./outcomes.ts";
import { timeoutFor } from "./probe-bookkeeping.ts";

/** Send `host` an echo request; false when it gets none (no echo socket, IPv6, send failed). */
export function sendEcho(s: LoopState, host: number): boolean {
  const target = s.targets[host];
  if (!s.echo || !target || target.family !== 4) return false;
  if (!s.echo.send(target.bytes, host & 0xffff)) return false;
  const key = addressKey(target.bytes);
  const waiting = s.echoByAddress.get(key);
  if (waiting) waiting.push(host);
  else s.echoByAddress.set(key, [host]);
  s.echoDeadlines.set(host, performance.now() + timeoutFor(s, host, PING_ATTEMPT));
  s.inFlight++;
  return true;
}

function ended(s: LoopState, host: number, replied: boolean): void {
  if (!s.echoDeadlines.delete(host)) return;
  s.inFlight--;
  const target = s.targets[host];
  if (target) {
    const key = addressKey(target.bytes);
    const rest = (s.echoByAddress.get(key) ?? []).filter((h) => h !== host);
    if (rest.length > 0) s.echoByAddress.set(key, rest);
    else s.echoByAddress.delete(key);
  }
  echoEnded(s, host, replied);
}

/** Read the replies that came, and end the echoes whose time is over. */
export function pollEcho(s: LoopState, now: number): void {
  if (!s.echo || s.echoDeadlines.size === 0) return;
  s.echo.poll((address) => {
    for (const host of s.echoByAddress.get(address) ?? []) ended(s, host, true);
  });
  for (const [host, deadline] of s.echoDeadlines) if (deadline <= now) ended(s, host, false);
}
