// The flags that bound what clients can take from a server, shared by tp-echo and tp-guess
// (docs/hardening.md), and their parsing into ServerOptions.
import {
  DEFAULT_LINE_TIMEOUT_MS,
  DEFAULT_MAX_CLIENTS,
  DEFAULT_MAX_PENDING_OUTPUT,
} from "../limits.ts";
import { parseDuration, parseInteger, parseSize } from "../parsers.ts";
import type { ServerOptions } from "./lifecycle.ts";

export const limitArgs = {
  "max-clients": {
    type: "string",
    description: "Most clients connected at once; one more gets a one-line refusal",
    default: String(DEFAULT_MAX_CLIENTS),
    valueHint: "n",
  },
  "max-pending": {
    type: "string",
    description: "Output queued for a client that does not read, before we stop reading it",
    default: String(DEFAULT_MAX_PENDING_OUTPUT),
    valueHint: "bytes",
  },
  "line-timeout": {
    type: "string",
    description:
      "Disconnect a client that begins a line and does not end it within this long (0 = never)",
    default: `${DEFAULT_LINE_TIMEOUT_MS / 1000}s`,
    valueHint: "duration",
  },
  "max-per-address": {
    type: "string",
    description: "Most clients from one address at once (0 = no cap)",
    default: "0",
    valueHint: "n",
  },
} as const;

type LimitArgValues = { [K in keyof typeof limitArgs]: string };

export function parseLimitArgs(
  args: LimitArgValues,
): Pick<ServerOptions, "maxClients" | "maxPendingOutput" | "lineTimeoutMs" | "maxPerAddress"> {
  return {
    maxClients: parseInteger(args["max-clients"], "--max-clients", 1, 1_000_000),
    maxPendingOutput: parseSize(args["max-pending"], "--max-pending", 1024, 1024 ** 3),
    lineTimeoutMs: parseDuration(args["line-timeout"], "--line-timeout", "s"),
    maxPerAddress: parseInteger(args["max-per-address"], "--max-per-address", 0, 1_000_000),
  };
}
