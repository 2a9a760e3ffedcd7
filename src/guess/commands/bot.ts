import { defineCommand } from "citty";
import { UsageError } from "../../shared/errors.ts";
import { parseDuration, parseInteger, parsePort } from "../../shared/parsers.ts";
import { parseMaxFlag, runBot } from "../bot.ts";

export default defineCommand({
  meta: {
    name: "bot",
    description:
      "Play the guessing game alone by binary search (ours or a classmate's server): one game shows the dialogue, many print a summary",
  },
  args: {
    host: { type: "positional", description: "Server host name or address", required: true },
    port: { type: "positional", description: "Server port", default: "2004" },
    max: {
      type: "string",
      description: "Maximum to play with, 1 to 10^1000 (e.g. 1000000, 10^100, 1e6)",
      required: true,
      valueHint: "n",
    },
    games: { type: "string", description: "Games to play", default: "1", valueHint: "n" },
    parallel: {
      type: "string",
      description: "Games at once, each on its own connection",
      default: "1",
      valueHint: "n",
    },
    timeout: {
      type: "string",
      description: "Give up on a server silent this long while the bot waits (e.g. 5s, 500ms)",
      default: "5s",
      valueHint: "duration",
    },
    settle: {
      type: "string",
      description:
        "Quiet spell after which text without a line end is read, or the bot speaks first",
      default: "200ms",
      valueHint: "duration",
    },
  },
  async run({ args }) {
    const timeoutMs = parseDuration(args.timeout, "--timeout");
    const settleMs = parseDuration(args.settle, "--settle");
    if (timeoutMs < 1 || settleMs < 1)
      throw new UsageError("--timeout and --settle must be above 0");
    const opts = {
      host: args.host,
      port: parsePort(args.port, "PORT"),
      max: parseMaxFlag(args.max),
      timeoutMs,
      settleMs,
    };
    const games = parseInteger(args.games, "--games", 1, 10_000_000);
    const parallel = parseInteger(args.parallel, "--parallel", 1, 10_000);
    await runBot(opts, games, parallel);
  },
});
