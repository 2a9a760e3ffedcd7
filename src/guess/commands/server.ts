import { defineCommand } from "citty";
import { UsageError } from "../../shared/errors.ts";
import { listenArgs, listenOptions } from "../../shared/flags.ts";
import { parseInteger, parseListenPort } from "../../shared/parsers.ts";
import { parseMaxFlag } from "../bot.ts";
import { jsonToStderr, serveSession } from "../classroom.ts";
import { GUESS_PORT } from "../protocol.ts";
import { GAME_IDLE_TIMEOUT_MS } from "../server.ts";
import type { WebFlags } from "../web/classroom.ts";
import { parsePublicUrl } from "../web/join.ts";
import { DEFAULT_WEB_CONNECTIONS } from "../web/server.ts";

function webFlags(args: {
  web?: string;
  "web-host": string;
  "public-url"?: string;
  "web-max-connections": string;
}): WebFlags | undefined {
  if (args.web === undefined) {
    if (args["public-url"] !== undefined) throw new UsageError("--public-url needs --web PORT");
    return undefined;
  }
  const publicUrl = args["public-url"];
  if (publicUrl !== undefined) parsePublicUrl(publicUrl);
  return {
    host: args["web-host"],
    port: parseListenPort(args.web, "--web"),
    publicUrl,
    maxConnections: parseInteger(
      args["web-max-connections"],
      "--web-max-connections",
      1,
      1_000_000,
    ),
  };
}

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
      description:
        "Also serve the live scoreboard and the play page (/play) on this HTTP port (0 = any free port)",
      valueHint: "port",
    },
    "web-host": {
      type: "string",
      description: "Address of the web port (e.g. 0.0.0.0 for the classroom)",
      default: "127.0.0.1",
    },
    "public-url": {
      type: "string",
      description:
        "The web port's URL as students reach it (behind NAT), shown with its QR code on the scoreboard",
      valueHint: "url",
    },
    "web-max-connections": {
      type: "string",
      description:
        "Most web connections at once (pages, event streams, players); one more gets a 503",
      default: String(DEFAULT_WEB_CONNECTIONS),
      valueHint: "n",
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
      web: webFlags(args),
      // --quiet silences the game log in either format.
      jsonLog: args.log === "json" && args.quiet !== true ? jsonToStderr : undefined,
    });
  },
});
