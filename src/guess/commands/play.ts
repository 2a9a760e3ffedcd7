import { defineCommand } from "citty";
import { UsageError } from "../../shared/errors.ts";
import { parseDuration, parsePort } from "../../shared/parsers.ts";
import { runPlay } from "../play.ts";

export default defineCommand({
  meta: {
    name: "play",
    description:
      "Play the guessing game yourself: type the maximum, then your guesses; the server's answers are shown as they come",
  },
  args: {
    host: { type: "positional", description: "Server host name or address", required: true },
    port: { type: "positional", description: "Server port", default: "2004" },
    timeout: {
      type: "string",
      description: "Connect timeout, and how long to wait for the server after your input ends",
      default: "5s",
      valueHint: "duration",
    },
  },
  async run({ args }) {
    const timeoutMs = parseDuration(args.timeout, "--timeout");
    if (timeoutMs < 1) throw new UsageError("--timeout must be above 0");
    await runPlay({ host: args.host, port: parsePort(args.port, "PORT"), timeoutMs });
  },
});
