// Flag definitions shared by the commands, spread into their `args` as nuxt/cli does with its
// _shared.ts: one definition, one help text and one parser per setting, whichever program
// offers it. Each piece comes with the function that turns its values into options.
import type { ArgDef } from "citty";
import { UsageError } from "./errors.ts";
import {
  DEFAULT_LINE_TIMEOUT_MS,
  DEFAULT_MAX_CLIENTS,
  DEFAULT_MAX_PENDING_OUTPUT,
} from "./limits.ts";
import { createLogger, type LogForm } from "./log.ts";
import {
  parseDuration,
  parseInteger,
  parseListenPort,
  parsePort,
  parseSize,
  parseTimeout,
} from "./parsers.ts";
import type { ServerOptions } from "./server/lifecycle.ts";

type Args = Record<string, ArgDef>;

/**
 * A server's flags: --host --port --idle-timeout --max-clients --max-pending --line-timeout
 * --max-per-address --quiet --log (the limits: docs/hardening.md; the log forms: docs/logs.md).
 */
export function listenArgs(defaults: { port: number; idleTimeoutMs: number }) {
  return {
    host: {
      type: "string",
      description: "Address to listen on (IPv4 or IPv6)",
      default: "127.0.0.1",
    },
    port: {
      type: "string",
      description: "TCP port, 0-65535 (0 = any free port, shown in the log)",
      default: String(defaults.port),
    },
    "idle-timeout": {
      type: "string",
      description: "Disconnect a client silent this long, with a notice (e.g. 30s, 5m; 0 = never)",
      default: `${defaults.idleTimeoutMs / 1000}s`,
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
    quiet: { type: "boolean", description: "No log lines, errors only" },
    log: {
      type: "string",
      description:
        "Log form on stderr: text (a timestamped line per event) or json (JSON lines only)",
      default: "text",
      valueHint: "text|json",
    },
  } as const satisfies Args;
}

interface ListenValues {
  host: string;
  port: string;
  "idle-timeout": string;
  "max-clients": string;
  "max-pending": string;
  "line-timeout": string;
  "max-per-address": string;
  quiet?: boolean;
  log?: string;
}

/** --log text|json: the server's event log as timestamped lines, or JSON objects only. */
function logForm(text: string | undefined): LogForm {
  if (text === undefined || text === "text") return "events";
  if (text === "json") return "json";
  throw new UsageError(`--log expects text or json, got '${text}'`);
}

/** The server life cycle's options from the listen flags, with the program's logger. */
export function listenOptions(args: ListenValues, program: string): ServerOptions {
  return {
    host: args.host,
    port: parseListenPort(args.port),
    idleTimeoutMs: parseDuration(args["idle-timeout"], "--idle-timeout", "s"),
    maxClients: parseInteger(args["max-clients"], "--max-clients", 1, 1_000_000),
    maxPendingOutput: parseSize(args["max-pending"], "--max-pending", 1024, 1024 ** 3),
    lineTimeoutMs: parseDuration(args["line-timeout"], "--line-timeout", "s"),
    maxPerAddress: parseInteger(args["max-per-address"], "--max-per-address", 0, 1_000_000),
    log: createLogger(program, { quiet: args.quiet === true, form: logForm(args.log) }),
  };
}

/** A client's HOST [PORT] positionals. */
export function serverArgs(defaultPort: number) {
  return {
    host: { type: "positional", description: "Server host name or address", required: true },
    port: { type: "positional", description: "Server port, 1-65535", default: String(defaultPort) },
  } as const satisfies Args;
}

/** host and port from HOST [PORT]. */
export function serverAddress(args: { host: string; port: string }): {
  host: string;
  port: number;
} {
  return { host: args.host, port: parsePort(args.port, "PORT") };
}

/** --timeout: how long a client waits for the server; what for is the command's to say. */
export function timeoutArgs(description: string, defaultValue = "5s") {
  return {
    timeout: { type: "string", description, default: defaultValue, valueHint: "duration" },
  } as const satisfies Args;
}

/** --timeout in milliseconds, above 0. */
export function timeoutMs(args: { timeout: string }): number {
  return parseTimeout(args.timeout, "--timeout");
}
