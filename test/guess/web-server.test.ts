// The web port without a browser: the play page's WebSocket spoken to directly (the same game,
// the same seats as TCP, its limits), the event stream's latest-state-only rule on the module,
// the web connection cap and the request timeout.
import { afterEach, describe, expect, test } from "bun:test";
import { Scoreboard, type ScoreboardView } from "../../src/guess/scoreboard.ts";
import type { WebFlags } from "../../src/guess/web/classroom.ts";
import { type Classroom, splitDescriptors, startClassroom } from "../../src/guess/web/classroom.ts";
import { EventStreams } from "../../src/guess/web/events.ts";
import { overShare } from "../../src/guess/web/fd-guard.ts";
import { checkDistinctPorts, joinInfo, reachableHost } from "../../src/guess/web/join.ts";
import { MESSAGES_PER_TURN } from "../../src/guess/web/play.ts";
import { startScoreboardWeb } from "../../src/guess/web/server.ts";
import { inProcess, until } from "../helpers/tcp.ts";
import { LineClient } from "./helpers.ts";

/** A WebSocket player: every message it got, and how it was closed. */
class WsPlayer {
  lines: string[] = [];
  closed: { code: number; reason: string } | undefined;
  private constructor(readonly ws: WebSocket) {}

  static async open(url: string): Promise<WsPlayer> {
    const p = new WsPlayer(new WebSocket(url));
    p.ws.onmessage = (e) => p.lines.push(String(e.data));
    p.ws.onclose = (e) => {
      p.closed = { code: e.code, reason: e.reason };
    };
    await until(() => p.ws.readyState !== WebSocket.CONNECTING, "the WebSocket to open");
    return p;
  }

  /** Wait for a line matching `pattern` (after the `from`th); returns it. */
  async until(pattern: RegExp, from = 0): Promise<string> {
    await until(
      () => this.lines.slice(from).some((l) => pattern.test(l)),
      `a line ${pattern} in ${JSON.stringify(this.lines.slice(-3))}`,
    );
    return this.lines.slice(from).find((l) => pattern.test(l)) as string;
  }

  async whenClosed(): Promise<{ code: number; reason: string }> {
    await until(() => this.closed !== undefined, "the WebSocket to close");
    return this.closed as { code: number; reason: string };
  }
}

let classroom: Classroom | undefined;
afterEach(async () => {
  await classroom?.web?.stop();
  await classroom?.server.stop();
  classroom = undefined;
});

function start(over: Partial<ReturnType<typeof inProcess>> = {}, web: Partial<WebFlags> = {}) {
  classroom = startClassroom({
    ...inProcess(over),
    scoreboard: new Scoreboard(),
    pickSecret: () => 37n,
    web: { host: "127.0.0.1", port: 0, ...web },
  });
  const base = classroom.web?.url ?? "";
  return { c: classroom, base, socket: `${base.replace(/^http/, "ws")}play/ws` };
}

describe("the play page's WebSocket", () => {
  test("the same game as on TCP, line for line; answered by a program, marked bot", async () => {
    const { c, base, socket } = start();
    const p = await WsPlayer.open(socket);
    expect(await p.until(/^maximum/)).toMatch(/^maximum \? donnez le nombre maximum/);
    expect(p.lines[0]).toBe("bienvenue au jeu du nombre secret");
    p.ws.send("nom Zoé");
    await p.until(/^bonjour Zoé$/);
    p.ws.send("100");
    await p.until(/^nombre \?/, 3);
    p.ws.send("50");
    expect(await p.until(/^moins/)).toBe("moins : le nombre secret est inférieur à 50");
    const view = (await (await fetch(`${base}scoreboard.json`)).json()) as ScoreboardView;
    // Three answers within 40 ms of the prompt: a program (a person at the page is "web":
    // web-play.test.ts types like one).
    expect(view.live).toMatchObject([{ player: "Zoé", via: "bot", max: "100", guesses: 1 }]);
    p.ws.send("37");
    expect(await p.until(/^gagné/)).toBe("gagné en 2 coups : le nombre secret était 37");
    expect((await p.whenClosed()).code).toBe(1000);
    await until(() => c.server.clientCount === 0, "nothing left");
  });

  test("--max-clients counts web and TCP players together, both ways", async () => {
    const { c, socket } = start({ maxClients: 1 });
    const web = await WsPlayer.open(socket);
    await web.until(/^maximum/);
    const tcp = await LineClient.connect(c.server.port);
    expect(await tcp.next()).toBe(
      "complet : le serveur a déjà 1 partie en cours, revenez dans un moment",
    );
    await tcp.whenClosed;
    web.ws.close();
    await web.whenClosed();
    const seated = await LineClient.connect(c.server.port);
    expect(await seated.next()).toBe("bienvenue au jeu du nombre secret");
    const refused = await WsPlayer.open(socket);
    expect(await refused.until(/^complet/)).toMatch(/^complet : le serveur a déjà 1 partie/);
    expect((await refused.whenClosed()).code).toBe(1013);
    seated.close();
  });

  test("--max-per-address counts them together too", async () => {
    const { c, socket } = start({ maxPerAddress: 1 });
    const tcp = await LineClient.connect(c.server.port);
    await tcp.next();
    const web = await WsPlayer.open(socket);
    await web.until(/^complet/);
    tcp.close();
  });

  test("a 10 KB name is a `ligne trop longue` error; a 100 KB message closes (1009)", async () => {
    const { socket } = start();
    const p = await WsPlayer.open(socket);
    await p.until(/^maximum/);
    p.ws.send(`nom ${"é".repeat(5000)}`);
    expect(await p.until(/^erreur/)).toMatch(/^erreur : ligne trop longue \(au-delà de 2048/);
    p.ws.send("x".repeat(100_000));
    expect((await p.whenClosed()).code).toBe(1009);
  });

  test(`more than ${MESSAGES_PER_TURN} messages at once is a flood: closed (1008)`, async () => {
    const { c, socket } = start();
    const flood = await WsPlayer.open(socket);
    await flood.until(/^maximum/);
    for (let i = 0; i < MESSAGES_PER_TURN * 4; i++) flood.ws.send("x");
    expect(await flood.whenClosed()).toEqual({ code: 1008, reason: "trop de messages" });
    // A TCP player is served meanwhile and after.
    const tcp = await LineClient.connect(c.server.port);
    expect(await tcp.next()).toBe("bienvenue au jeu du nombre secret");
    tcp.close();
  });

  test("--idle-timeout: a silent web player gets `délai`, then the close", async () => {
    const { socket } = start({ idleTimeoutMs: 300 });
    const p = await WsPlayer.open(socket);
    expect(await p.until(/^délai/)).toBe(
      "délai dépassé : aucune réponse depuis 0.3 s, fin de la partie",
    );
    await p.whenClosed();
  });

  test("the server stops: a web player gets `arrêt`", async () => {
    const { c, socket } = start();
    const p = await WsPlayer.open(socket);
    await p.until(/^maximum/);
    await c.server.stop();
    await c.web?.stop();
    classroom = undefined;
    expect(await p.until(/^arrêt/)).toBe("arrêt du serveur : partie interrompue, au revoir");
    await p.whenClosed();
  });
});

describe("the web connections' bounds", () => {
  test("past --web-max-connections a request gets a 503 page a browser shows", async () => {
    const { base } = start({}, { maxConnections: 2 });
    const streams = [await fetch(`${base}events`), await fetch(`${base}events`)];
    const refused = await fetch(base);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await refused.text()).toContain("Serveur plein");
    for (const s of streams) await s.body?.cancel();
    let status = 0;
    for (let i = 0; i < 200 && status !== 200; i++) {
      if (i > 0) await Bun.sleep(10);
      status = (await fetch(base)).status;
    }
    expect(status).toBe(200); // the streams gone, their slots are free again
  });

  test("a half-sent request is cut after the request timeout", async () => {
    const opts = inProcess();
    const web = startScoreboardWeb({
      host: "127.0.0.1",
      port: 0,
      scoreboard: new Scoreboard(),
      log: opts.log,
    });
    const port = web.port;
    let closed = false;
    const s = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data() {},
        close() {
          closed = true;
        },
      },
    });
    s.write("GET / HTTP/1.1\r\nHost: x\r\n"); // no blank line: the headers never end
    // Bun (uWS) cuts a request whose headers have not ended after 10 s whatever idleTimeout
    // says (measured: 12.0 s with idleTimeout 2, 4, 8 or 10: its timer ticks every 4 s).
    await until(() => closed, "the server to cut the half-sent request", 20_000);
    await web.stop();
  }, 30_000);

  test("an event stream nobody reads holds the latest state, not a backlog", async () => {
    let version = 0;
    const streams = new EventStreams(() => JSON.stringify({ version }));
    const reader = streams.open().getReader();
    for (version = 1; version <= 1000; version++) streams.pushAll(performance.now());
    version = 1000;
    const decoder = new TextDecoder();
    const first = decoder.decode((await reader.read()).value);
    expect(first).toBe('retry: 1000\ndata: {"version":0}\n\n');
    // A backlog would say version 1 here, then 2...
    expect(decoder.decode((await reader.read()).value)).toBe('data: {"version":1000}\n\n');
    streams.closeAll();
  });
});

describe("join and budget, pure", () => {
  test("the join info for a wildcard listener names the LAN address; --public-url wins", () => {
    expect(reachableHost("0.0.0.0", () => "192.168.1.20")).toBe("192.168.1.20");
    expect(reachableHost("10.0.0.5", () => "192.168.1.20")).toBe("10.0.0.5");
    const lan = () => "192.168.1.20";
    const here = { tcpHost: "0.0.0.0", tcpPort: 2004, webHost: "0.0.0.0", webPort: 8080 };
    expect(joinInfo(here, lan)).toMatchObject({
      playUrl: "http://192.168.1.20:8080/play",
      host: "192.168.1.20",
      port: 2004,
    });
    const nat = joinInfo({ ...here, publicUrl: "http://203.0.113.9:18080" }, lan);
    expect(nat).toMatchObject({ playUrl: "http://203.0.113.9:18080/play", host: "203.0.113.9" });
    expect(nat.qrSvg).toStartWith("<svg");
  });

  test("--port = --web on overlapping addresses is refused; other hosts may share it", () => {
    const same = { host: "127.0.0.1", port: 2004, webHost: "127.0.0.1", webPort: 2004 };
    expect(() => checkDistinctPorts(same)).toThrow(/--port and --web are both 2004/);
    expect(() => checkDistinctPorts({ ...same, webHost: "0.0.0.0" })).toThrow();
    expect(() => checkDistinctPorts({ ...same, webHost: "127.0.0.2" })).not.toThrow();
    expect(() => checkDistinctPorts({ ...same, port: 0, webPort: 0 })).not.toThrow();
  });

  test("players and web connections share the descriptors left after the reserve", () => {
    expect(splitDescriptors({ players: 4096, web: 1000 }, undefined)).toEqual({
      players: 4096,
      web: 1000,
    });
    expect(splitDescriptors({ players: 100, web: 100 }, 1024)).toEqual({ players: 100, web: 100 });
    const tight = splitDescriptors({ players: 4096, web: 1000 }, 1024);
    expect(tight).toEqual({ players: 720, web: 240 });
    expect(tight.players + tight.web).toBeLessThanOrEqual(1024 - 64);
  });

  test("the descriptor guard sheds the web only when nearly out and the web is over its share", () => {
    const o = { limit: 1024, webShare: 240, baseline: 10, gameConnections: () => 700, shed() {} };
    expect(overShare(o, 900)).toBe(false); // not nearly out
    expect(overShare(o, 1000)).toBe(true); // 290 web connections, over 240
    expect(overShare({ ...o, gameConnections: () => 800 }, 1000)).toBe(false); // the game's
    expect(overShare(o, Number.POSITIVE_INFINITY)).toBe(true); // no descriptor left to count
  });
});
