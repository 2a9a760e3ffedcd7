import { defineCommand } from "citty";
import { serverAddress, serverArgs, timeoutArgs, timeoutMs } from "../../shared/flags.ts";
import { parseInteger, parseTimeout } from "../../shared/parsers.ts";
import { parseMaxFlag, runBot } from "../bot.ts";
import { checkName } from "../names.ts";
import { GUESS_PORT } from "../protocol.ts";

export default defineCommand({
  meta: {
    name: "bot",
    description:
      "Play the guessing game alone by binary search (ours or a classmate's server): one game shows the dialogue, many print a summary",
  },
  args: {
    ...serverArgs(GUESS_PORT),
    max: {
      type: "string",
      description:
        "Maximum to play with, 1 to 10^1000 (e.g. 1000000, 10^100, 1e6); not needed when the server fixes it",
      valueHint: "n",
    },
    name: {
      type: "string",
      description: "Player name sent first (`nom NAME`), shown on the server's scoreboard",
      valueHint: "name",
    },
    games: { type: "string", description: "Games to play", default: "1", valueHint: "n" },
    parallel: {
      type: "string",
      description: "Games at once, each on its own connection",
      default: "1",
      valueHint: "n",
    },
    ...timeoutArgs("Give up on a server silent this long while the bot waits (e.g. 5s, 500ms)"),
    settle: {
      type: "string",
      description:
        "Quiet spell after which text without a line end is read, or the bot speaks first",
      default: "200ms",
      valueHint: "duration",
    },
  },
  async run({ args }) {
    const opts = {
      ...serverAddress(args),
      max: args.max === undefined ? undefined : parseMaxFlag(args.max),
      name: args.name === undefined ? undefined : checkName(args.name),
      timeoutMs: timeoutMs(args),
      settleMs: parseTimeout(args.settle, "--settle"),
    };
    const games = parseInteger(args.games, "--games", 1, 10_000_000);
    const parallel = parseInteger(args.parallel, "--parallel", 1, 10_000);
    await runBot(opts, games, parallel);
  },
});
