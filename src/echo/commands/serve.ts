import { defineCommand } from "citty";
import { VERSION } from "../../shared/cli.ts";
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_LINE_BYTES } from "../../shared/limits.ts";
import { createLogger } from "../../shared/log.ts";
import { parseDuration, parsePort, parseSize } from "../../shared/parsers.ts";
import { serveUntilSignal } from "../../shared/server/lifecycle.ts";
import { limitArgs, parseLimitArgs } from "../../shared/server/limit-args.ts";
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
    ...limitArgs,
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
      ...parseLimitArgs(args),
      log,
    });
    await serveUntilSignal(server, log);
  },
});
