// A closed stdout (`prog | head -c 1`) ends each program quietly with status 0: no EPIPE
// error, no Bun banner. Compiled executables, each made to write far more than a pipe holds.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { freePort, waitForPort } from "../../scripts/lib/net.ts";
import { exePath } from "../../scripts/lib/root.ts";
import { type Child, runCommand as runArgv } from "../../scripts/lib/run.ts";
import { spawnExe } from "../helpers/exe.ts";

setDefaultTimeout(60_000);

let echoPort = 0;
let guessPort = 0;
const servers: Child[] = [];

beforeAll(async () => {
  echoPort = await freePort();
  servers.push(spawnExe("tp-echo", ["--port", String(echoPort), "--quiet"]));
  guessPort = await freePort();
  servers.push(spawnExe("tp-guess", ["server", "--port", String(guessPort), "--quiet"]));
  await waitForPort("127.0.0.1", echoPort);
  await waitForPort("127.0.0.1", guessPort);
});
afterAll(async () => {
  for (const s of servers) await s.stop();
});

/** Run `producer | head -c 1` in bash; the producer's exit status and what it said on stderr. */
async function intoClosedPipe(producer: string): Promise<{ status: string; stderr: string }> {
  const err = `/tmp/tp-epipe-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const r = await runArgv(
    [
      "bash",
      "-c",
      `${producer} 2>${err} | head -c 1 >/dev/null; echo "\${PIPESTATUS[-2]}"; cat ${err}; rm -f ${err}`,
    ],
    { timeoutMs: 50_000 },
  );
  const [status = "", ...rest] = r.stdout.split("\n");
  return { status, stderr: rest.join("\n").trim() };
}

test("tp-scan: a long report into a closed pipe ends with status 0 and no message", async () => {
  const r = await intoClosedPipe(`${exePath("tp-scan")} 127.0.0.1 -p 1-65535 --show closed`);
  expect(r).toEqual({ status: "0", stderr: "" });
});

test("tp-scan --jsonl into a closed pipe ends with status 0 and no message", async () => {
  const r = await intoClosedPipe(
    `${exePath("tp-scan")} 127.0.0.1 -p 1-65535 --show closed --jsonl`,
  );
  expect(r).toEqual({ status: "0", stderr: "" });
});

test("tp-echo client: replies into a closed pipe end it with status 0 and no message", async () => {
  const r = await intoClosedPipe(
    `seq 1 200000 | ${exePath("tp-echo")} client 127.0.0.1 ${echoPort}`,
  );
  expect(r).toEqual({ status: "0", stderr: "" });
});

test("tp-guess bot: a long game's dialogue into a closed pipe ends with status 0", async () => {
  const r = await intoClosedPipe(`${exePath("tp-guess")} bot 127.0.0.1 ${guessPort} --max 10^1000`);
  expect(r).toEqual({ status: "0", stderr: "" });
});
