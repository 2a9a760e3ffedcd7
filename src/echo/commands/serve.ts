import { defineCommand } from "citty";
import { VERSION } from "../../shared/cli.ts";
import {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CLIENTS,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_MAX_PENDING_OUTPUT,
} from "../../shared/limits.ts";
import { createLogger } from "../../shared/log.ts";
import { parseDuration, parseInteger, parsePort, parseSize } from "../../shared/parsers.ts";
import { serveUntilSignal } from "../../shared/server/lifecycle.ts";
import { startEchoServer } from "../server.ts";

export default defineCommand({
  meta: {
    name: "tp-echo",
    version: VERSION,
    description:
      "Echo server speaking the lab's dialogue (Votre message ? / ECHO : ... / Good Bye.) to many clients at once",
  },
  args: {
    host: {
      type: "string",
      description: "Address to listen on (IPv4 or IPv6)",
      default: "127.0.0.1",
    },
    port: { type: "string", description: "TCP port, 1-65535", default: "2003" },
    sequential: {
      type: "boolean",
      description: "Serve one client at a time, as the lab's server does; the others wait",
    },
    "max-line": {
      type: "string",
      description: "Longest line accepted; a longer one disconnects its client (e.g. 64k, 1MiB)",
      default: String(DEFAULT_MAX_LINE_BYTES),
      valueHint: "bytes",
    },
    "idle-timeout": {
      type: "string",
      description: "Disconnect a client silent for this long (e.g. 30s, 5m; 0 = never)",
      default: `${DEFAULT_IDLE_TIMEOUT_MS / 1000}s`,
      valueHint: "duration",
    },
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
    quiet: { type: "boolean", description: "No log lines, errors only" },
  },
  async run({ args }) {
    const log = createLogger("tp-echo", args.quiet === true);
    const server = startEchoServer({
      host: args.host,
      port: parsePort(args.port),
      sequential: args.sequential === true,
      maxLineBytes: parseSize(args["max-line"], "--max-line", 1, 64 * 1024 ** 2),
      idleTimeoutMs: parseDuration(args["idle-timeout"], "--idle-timeout", "s"),
      maxClients: parseInteger(args["max-clients"], "--max-clients", 1, 1_000_000),
      maxPendingOutput: parseSize(args["max-pending"], "--max-pending", 1024, 1024 ** 3),
      log,
    });
    await serveUntilSignal(server, log);
  },
});
