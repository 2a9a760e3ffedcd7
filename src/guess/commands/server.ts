import { defineCommand } from "citty";
import { DEFAULT_MAX_CLIENTS, DEFAULT_MAX_PENDING_OUTPUT } from "../../shared/limits.ts";
import { createLogger } from "../../shared/log.ts";
import { parseDuration, parseInteger } from "../../shared/parsers.ts";
import { serveUntilSignal } from "../../shared/server/lifecycle.ts";
import { startGuessServer } from "../server.ts";

export default defineCommand({
  meta: {
    name: "server",
    description:
      "Serve the guessing game: each client gives a maximum, then guesses a secret number (plus/moins)",
  },
  args: {
    host: {
      type: "string",
      description: "Address to listen on (IPv4 or IPv6)",
      default: "127.0.0.1",
    },
    port: {
      type: "string",
      description: "TCP port (0 = any free port, shown in the log)",
      default: "2004",
    },
    "idle-timeout": {
      type: "string",
      description: "End a game whose player is silent this long (e.g. 30s, 2m; 0 = never)",
      default: "60s",
      valueHint: "duration",
    },
    quiet: { type: "boolean", description: "No log lines, errors only" },
  },
  async run({ args }) {
    const log = createLogger("tp-guess", args.quiet === true);
    const server = startGuessServer({
      host: args.host,
      port: parseInteger(args.port, "--port", 0, 65535),
      idleTimeoutMs: parseDuration(args["idle-timeout"], "--idle-timeout", "s"),
      maxClients: DEFAULT_MAX_CLIENTS,
      maxPendingOutput: DEFAULT_MAX_PENDING_OUTPUT,
      log,
    });
    await serveUntilSignal(server, log);
  },
});
