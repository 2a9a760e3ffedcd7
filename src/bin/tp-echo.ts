// tp-echo: the lab's echo server (default) and its client (`tp-echo client HOST [PORT]`).

import client from "../echo/commands/client.ts";
import serve from "../echo/commands/serve.ts";
import { runCli } from "../shared/cli.ts";

await runCli({ ...serve, subCommands: { client } });
