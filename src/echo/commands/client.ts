import { defineCommand } from "citty";
import { parsePort } from "../../shared/parsers.ts";
import { runClient } from "../client.ts";

export default defineCommand({
  meta: {
    name: "client",
    description:
      "Talk to an echo server: stdin lines go out, the server's text comes back on stdout",
  },
  args: {
    host: { type: "positional", description: "Server host name or address", required: true },
    port: { type: "positional", description: "Server port", default: "2003" },
  },
  async run({ args }) {
    await runClient({ host: args.host, port: parsePort(args.port, "PORT") });
    // The lab's farewell has no line end: keep the shell prompt off it on a terminal.
    if (process.stdout.isTTY) process.stdout.write("\n");
  },
});
