import { defineCommand } from "citty";
import { serverAddress, serverArgs } from "../../shared/flags.ts";
import { runClient } from "../client.ts";
import { ECHO_PORT } from "../dialogue.ts";

export default defineCommand({
  meta: {
    name: "client",
    description:
      "Talk to an echo server: stdin lines go out, the server's text comes back on stdout",
  },
  args: serverArgs(ECHO_PORT),
  async run({ args }) {
    await runClient(serverAddress(args));
    // The lab's farewell has no line end: keep the shell prompt off it on a terminal.
    if (process.stdout.isTTY) process.stdout.write("\n");
  },
});
