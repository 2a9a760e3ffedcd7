// tp-guess under clients that try to hold it: replies bounded by the line that caused them,
// --max-clients and --max-pending from the command line, a player who never reads.
import { afterEach, expect, test } from "bun:test";
import { type GuessServer, startGuessServer } from "../../src/guess/server.ts";
import { spawnExe } from "../helpers/exe.ts";
import { inProcess, sleep, TestClient } from "../helpers/tcp.ts";

const servers: GuessServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function connect(port: number): Promise<TestClient> {
  const c = await TestClient.connect("127.0.0.1", port);
  clients.push(c);
  return c;
}

test("with a 1001-digit maximum, a 2-byte bad line draws one short erreur line and the question", async () => {
  const server = startGuessServer(inProcess());
  servers.push(server);
  const c = await connect(server.port);
  await c.waitFor("maximum ?");
  await c.send(`1${"0".repeat(1000)}\n`);
  await c.waitFor("nombre ?");
  const before = c.received.length;
  await c.send("0\n");
  await c.waitForCount("nombre ?", 2);
  const reply = new TextDecoder().decode(c.received.subarray(before));
  const [error, question] = reply.split("\n");
  expect(error).toStartWith("erreur");
  expect(error?.length).toBeLessThan(200);
  // The maximum is said once, in the question that follows.
  expect(question).toStartWith("nombre ?");
  expect(question).toContain("0".repeat(1000));
});

test("a player who pipelines bad lines and never reads holds at most --max-pending of replies", async () => {
  const cap = 8 * 1024;
  const server = startGuessServer(inProcess({ maxPendingOutput: cap }));
  servers.push(server);
  const c = await connect(server.port);
  await c.waitFor("maximum ?");
  c.pause();
  const block = new TextEncoder().encode("x\n".repeat(16 * 1024));
  for (let i = 0, until = performance.now() + 1500; performance.now() < until && i < 2000; i++)
    await sleep(c.trySend(block) < block.length ? 5 : 0);
  const held = [
    ...(server as unknown as { clients: Set<{ writer: { pending: number } }> }).clients,
  ];
  expect(held).toHaveLength(1);
  expect(held[0]?.writer.pending).toBeGreaterThan(0);
  expect(held[0]?.writer.pending).toBeLessThanOrEqual(cap + 300);
  const other = await connect(server.port);
  await other.waitFor("maximum ?");
  await other.send("10\n");
  await other.waitFor("nombre ?");
});

test("--max-clients and --max-pending reach tp-guess server", async () => {
  const child = spawnExe("tp-guess", [
    "server",
    "--port",
    "0",
    "--max-clients",
    "1",
    "--max-pending",
    "2k",
  ]);
  try {
    const m = await child.stderr.waitFor(/listening on 127\.0\.0\.1:(\d+)/, 20_000);
    const port = Number(m[1]);
    const a = await connect(port);
    await a.waitFor("maximum ?");
    const b = await connect(port);
    await b.waitClosed();
    expect(b.text).toStartWith("complet : le serveur a déjà 1 partie en cours");
  } finally {
    await child.stop();
  }
});
