import { defineCommand } from "citty";
import { listenArgs, listenOptions } from "../../shared/flags.ts";
import { serveUntilSignal } from "../../shared/server/lifecycle.ts";
import { GUESS_PORT } from "../protocol.ts";
import { GAME_IDLE_TIMEOUT_MS, startGuessServer } from "../server.ts";

export default defineCommand({
  meta: {
    name: "server",
    description:
      "Serve the guessing game: each client gives a maximum, then guesses a secret number (plus/moins)",
  },
  args: listenArgs({ port: GUESS_PORT, idleTimeoutMs: GAME_IDLE_TIMEOUT_MS }),
  async run({ args }) {
    const options = listenOptions(args, "tp-guess");
    await serveUntilSignal(() => startGuessServer(options), options.log);
  },
});
