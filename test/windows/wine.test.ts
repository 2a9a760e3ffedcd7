// The Windows build (tp-net.exe and its names) run under Wine, the way a Windows user runs it:
// tp-scan's ws2_32 engine exact on this loopback (Wine's sockets are the host's) and in a lab
// namespace with SYN-dropped ports, tp-echo serving Linux clients and stopping on Ctrl-C
// (SIGINT to the Wine process), clients and bot talking to Linux servers. Runs where wine and
// mingw-w64 are installed (apt-get install wine64 gcc-mingw-w64-x86-64-win32) unless
// TP_BUILD_CROSS=none; the cross build may download Bun's Windows runtime once (~100 MB).
// ~27 s here, most of it wineboot making the fresh prefix (~700 MB in the temp directory).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildTarget } from "../../scripts/build.ts";
import { Lab, labUnavailable } from "../../scripts/lib/lab.ts";
import { type Child, runCommand } from "../../scripts/lib/run.ts";
import { startWine, type Wine, wineMissing } from "../../scripts/lib/wine.ts";
import { VERSION } from "../../src/shared/cli.ts";
import { runExe, spawnExe } from "../helpers/exe.ts";
import { knownPorts } from "../helpers/loopback-ports.ts";
import { TestClient } from "../helpers/tcp.ts";

const skip =
  process.env.TP_BUILD_CROSS === "none" ? "TP_BUILD_CROSS=none: no cross builds" : wineMissing();
if (skip) console.warn(`skip Windows tests under Wine: ${skip}`);

const work = mkdtempSync(join(tmpdir(), `tp-wine-build-${process.pid}-`));
let wine: Wine;
const servers: Child[] = [];

beforeAll(async () => {
  if (skip) return;
  await buildTarget({ target: "windows-x64", outdir: work });
  wine = await startWine(work);
}, 300_000);

afterAll(async () => {
  for (const s of servers) await s.stop("SIGKILL");
  if (!skip) await wine?.close();
  rmSync(work, { recursive: true, force: true });
});

interface ScanPort {
  port: number;
  state: string;
}

/** tp-scan.exe's --json ports of one host, by state. */
async function wineScan(host: string, spec: string) {
  const r = await wine.run("tp-scan", [host, "-p", spec, "--json", "--show", "closed,filtered"]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  const ports = JSON.parse(r.stdout).targets[0].ports as ScanPort[];
  const byState = { open: [] as number[], closed: [] as number[], filtered: [] as number[] };
  for (const p of ports) byState[p.state as keyof typeof byState]?.push(p.port);
  for (const list of Object.values(byState)) list.sort((a, b) => a - b);
  return byState;
}

describe.skipIf(skip !== null)("Windows build under Wine", () => {
  test("each name starts and says its version", async () => {
    for (const [name, args, program] of [
      ["tp-scan", ["--version"], "tp-scan"],
      ["tp-net", ["echo", "--version"], "tp-echo"],
    ] as const) {
      const r = await wine.run(name, [...args]);
      const out = `${program} ${VERSION}`;
      expect({ name, code: r.code, out: r.stdout.trim() }).toEqual({ name, code: 0, out });
    }
  });

  test("tp-scan.exe: open and closed ports exactly, IPv4 and IPv6", async () => {
    const known = await knownPorts(6, 6);
    try {
      expect(await wineScan("127.0.0.1", known.spec)).toEqual({
        open: known.open,
        closed: [...known.closed].sort((a, b) => a - b),
        filtered: [],
      });
    } finally {
      known.stop();
    }
    const v6 = Bun.listen({ hostname: "::1", port: 0, socket: { data() {} } });
    try {
      const closed = v6.port === 1 ? 2 : 1;
      expect(await wineScan("::1", `${closed},${v6.port}`)).toEqual({
        open: [v6.port],
        closed: [closed],
        filtered: [],
      });
    } finally {
      v6.stop(true);
    }
  });

  test("tp-scan.exe --banner: what an open port says first (recv on a non-blocking SOCKET)", async () => {
    const talker = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: { open: (s) => void s.write("SSH-2.0-tp-wine\r\n"), data() {} },
    });
    try {
      const r = await wine.run("tp-scan", [
        "127.0.0.1",
        "-p",
        String(talker.port),
        "--banner",
        "--json",
      ]);
      const ports = JSON.parse(r.stdout).targets[0].ports;
      expect(ports).toEqual([
        expect.objectContaining({ state: "open", banner: "SSH-2.0-tp-wine" }),
      ]);
    } finally {
      talker.stop(true);
    }
  });

  test("tp-scan.exe: 3000 ports, as the Linux engine sees them, nothing filtered", async () => {
    const known = await knownPorts(5, 0);
    try {
      const spec = `1-3000,${known.spec}`;
      const seen = await wineScan("127.0.0.1", spec);
      const native = await runExe("tp-scan", ["127.0.0.1", "-p", spec, "--list"]);
      const nativeOpen = native.stdout.trim().split(",").filter(Boolean).map(Number);
      expect(seen.filtered).toEqual([]);
      expect(seen.open.length + seen.closed.length).toBe(3000 + known.open.length);
      for (const p of known.open) expect(seen.open).toContain(p);
      // Another program may open or close a port in between: compare what both runs agree on.
      expect(seen.open.filter((p) => p <= 3000 && !nativeOpen.includes(p))).toEqual([]);
    } finally {
      known.stop();
    }
  });

  test("tp-scan.exe stops on Ctrl-C (SIGINT) with the partial report, exit 130", async () => {
    const scan = wine.spawn("tp-scan", ["127.0.0.1", "-p-", "--rate", "2000"]);
    servers.push(scan);
    await Bun.sleep(2500); // Wine's start, then some probes
    const code = await scan.stop("SIGINT", 15_000); // SIGKILL if it lingers
    await scan.stdout.waitFor(/^interrupted: \d+ of 65535 ports scanned in /m, 5_000);
    expect(code).toBe(130);
  });

  test("tp-echo.exe serves a Linux client and stops on Ctrl-C (SIGINT) with Good Bye.", async () => {
    const server = wine.spawn("tp-echo", ["--port", "0"]);
    servers.push(server);
    const port = Number(
      (await server.stderr.waitFor(/listening on 127\.0\.0\.1:(\d+)/, 30_000))[1],
    );
    const c = await TestClient.connect("127.0.0.1", port);
    await c.waitFor("Votre message ?\n");
    await c.send("bonjour\n");
    await c.waitFor("ECHO : bonjour\nVotre message ?\n");
    server.proc.kill("SIGINT");
    await c.waitClosed();
    expect(c.text.endsWith("Good Bye.")).toBe(true);
    expect(await server.proc.exited).toBe(0);
    expect(server.stderr.text).toContain("SIGINT: stopping, 1 client interrupted");
  });

  test("tp-guess.exe serves the Linux bot, then stops on Ctrl-C", async () => {
    const server = wine.spawn("tp-guess", ["server", "--port", "0", "--max", "1000"]);
    servers.push(server);
    const port = (await server.stderr.waitFor(/listening on 127\.0\.0\.1:(\d+)/, 30_000))[1];
    const bot = await runExe("tp-guess", ["bot", "127.0.0.1", port as string, "--games", "5"]);
    expect(bot.stdout).toContain("games 5, wins 5, failures 0");
    expect(await server.stop("SIGINT", 15_000)).toBe(0);
  });

  test("tp-echo.exe client and tp-guess.exe bot talk to Linux servers", async () => {
    const echo = spawnExe("tp-echo", ["--port", "0"]);
    const guess = spawnExe("tp-guess", ["server", "--port", "0", "--max", "1000"]);
    servers.push(echo, guess);
    const echoPort = (await echo.stderr.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1] as string;
    const guessPort = (await guess.stderr.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1] as string;
    // Wine gives a Windows program no pipe on stdin (EBADF): the lines come from a file.
    const lines = join(work, "lines.txt");
    writeFileSync(lines, "salut\n");
    const client = await wine.run("tp-echo", ["client", "127.0.0.1", echoPort], {
      stdinFile: lines,
    });
    expect(client.stdout).toContain("ECHO : salut\n");
    expect(client.code).toBe(0);
    const bot = await wine.run("tp-guess", ["bot", "127.0.0.1", guessPort, "--games", "5"]);
    expect(bot.stdout).toContain("games 5, wins 5, failures 0");
    expect(bot.code).toBe(0);
    // Two Wine starts in a row (1-3 s each, more on a loaded machine): bun's 5 s default cut
    // this test once in CI while both programs were still starting.
  }, 60_000);
});

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

// Last: it moves this prefix's wineserver into the lab's namespace.
describe.skipIf(skip !== null || labUnavailable() !== null)("tp-scan.exe in a lab", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await Lab.create({ drops: ["20000:20299"], tag: "wine" });
    await wine.enter(lab.name);
  }, 60_000);
  afterAll(async () => {
    await wine?.enter(null);
    await lab?.destroy();
  });

  test("open, closed and SYN-dropped (filtered) ports exactly, against ss in the lab", async () => {
    const listening = await lab.listen([7, 22, 80, 443, 2999, 20500, 20501]);
    const truth = [...(await lab.listeningPorts("127.0.0.1"))].sort((a, b) => a - b);
    expect(truth).toEqual(listening.ports);
    const doc = await wineScan("127.0.0.1", "1-3000,20000-20600");
    expect(doc).toEqual({
      open: truth,
      closed: [...range(1, 3001), ...range(20300, 20601)].filter((p) => !truth.includes(p)),
      filtered: range(20000, 20300),
    });
    await listening.stop();
  });
});

test("the Wine helper says why it cannot run, or nothing", async () => {
  const reason = wineMissing();
  const hasWine = (await runCommand(["sh", "-c", "command -v wine"])).code === 0;
  if (!hasWine) expect(reason).toMatch(/wine/);
  else if (reason) expect(reason).toMatch(/mingw|Linux x64/);
});
