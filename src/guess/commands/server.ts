import { defineCommand } from "citty";
import { listenArgs, listenOptions } from "../../shared/flags.ts";
import { parseInteger, parseListenPort } from "../../shared/parsers.ts";
import { parseMaxFlag } from "../bot.ts";
import { jsonToStderr, serveSession } from "../classroom.ts";
import { GUESS_PORT } from "../protocol.ts";
import { GAME_IDLE_TIMEOUT_MS } from "../server.ts";

export default defineCommand({
  meta: {
    name: "server",
    description:
      "Serve the guessing game: each client gives a maximum, then guesses a secret number (plus/moins)",
  },
  args: {
    ...listenArgs({ port: GUESS_PORT, idleTimeoutMs: GAME_IDLE_TIMEOUT_MS }),
    max: {
      type: "string",
      description: "Fix the maximum for every game (the server does not ask; its greeting says it)",
      valueHint: "n",
    },
    "max-guesses": {
      type: "string",
      description: "A game is lost after this many valid guesses (a `perdu` line with the secret)",
      valueHint: "n",
    },
    web: {
      type: "string",
      description: "Also serve a live scoreboard page on this HTTP port (0 = any free port)",
      valueHint: "port",
    },
    "web-host": {
      type: "string",
      description: "Address of the scoreboard page (e.g. 0.0.0.0 for the classroom)",
      default: "127.0.0.1",
    },
  },
  async run({ args }) {
    await serveSession({
      ...listenOptions(args, "tp-guess"),
      rules: {
        fixedMax: args.max === undefined ? undefined : parseMaxFlag(args.max, "--max"),
        maxGuesses:
          args["max-guesses"] === undefined
            ? undefined
            : parseInteger(args["max-guesses"], "--max-guesses", 1, 1_000_000),
      },
      web:
        args.web === undefined
          ? undefined
          : { host: args["web-host"], port: parseListenPort(args.web, "--web") },
      // --quiet silences the game log in either format.
      jsonLog: args.log === "json" && args.quiet !== true ? jsonToStderr : undefined,
    });
  },
});
