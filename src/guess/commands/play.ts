import { defineCommand } from "citty";
import { serverAddress, serverArgs, timeoutArgs, timeoutMs } from "../../shared/flags.ts";
import { checkName } from "../names.ts";
import { runPlay } from "../play.ts";
import { GUESS_PORT } from "../protocol.ts";

export default defineCommand({
  meta: {
    name: "play",
    description:
      "Play the guessing game yourself: type the maximum, then your guesses; the server's answers are shown as they come",
  },
  args: {
    ...serverArgs(GUESS_PORT),
    ...timeoutArgs(
      "Connect timeout, and how long to wait for a server that does not ask again after your input ends",
    ),
    name: {
      type: "string",
      description: "Your name on the server's scoreboard, sent first (`nom NAME`)",
      valueHint: "name",
    },
  },
  async run({ args }) {
    await runPlay({
      ...serverAddress(args),
      timeoutMs: timeoutMs(args),
      name: args.name === undefined ? undefined : checkName(args.name),
    });
  },
});
