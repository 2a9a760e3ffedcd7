import { defineCommand } from "citty";
import { VERSION } from "../../shared/cli.ts";
import { listenArgs, listenOptions } from "../../shared/flags.ts";
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_LINE_BYTES } from "../../shared/limits.ts";
import { parseSize } from "../../shared/parsers.ts";
import { serveUntilSignal } from "../../shared/server/lifecycle.ts";
import { ECHO_PORT } from "../dialogue.ts";
import { startEchoServer } from "../server.ts";

export default defineCommand({
  meta: {
    name: "tp-echo",
    version: VERSION,
    description:
      "Echo server speaking the lab's dialogue (Votre message ? / ECHO : ... / Good Bye.) to many clients at once",
  },
  args: {
    ...listenArgs({ port: ECHO_PORT, idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS }),
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
  },
  async run({ args }) {
    const options = listenOptions(args, "tp-echo");
    const echo = {
      ...options,
      sequential: args.sequential === true,
      maxLineBytes: parseSize(args["max-line"], "--max-line", 1, 64 * 1024 ** 2),
    };
    await serveUntilSignal(() => startEchoServer(echo), options.log);
  },
});
