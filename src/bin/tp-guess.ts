// tp-guess: the lab's guessing game: `server`, a `bot` that plays it alone, `play` for a person.
import { defineCommand } from "citty";
import bot from "../guess/commands/bot.ts";
import play from "../guess/commands/play.ts";
import server from "../guess/commands/server.ts";
import { runCli, VERSION } from "../shared/cli.ts";

const main = defineCommand({
  meta: {
    name: "tp-guess",
    version: VERSION,
    description:
      "Guess-the-number game over TCP: a server, a bot that plays it alone, a human client",
  },
  subCommands: { server, bot, play },
});

await runCli(main);
