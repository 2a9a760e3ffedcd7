// The scoreboard page in a real browser (Debian's Chromium, driven by playwright-core): a
// game that starts after the page was opened shows up without a reload, and a name with
// <script> in it shows as text. SCOREBOARD_SCREENSHOT=docs/scoreboard.png also saves a
// screenshot of the page with a few games (how the docs' picture is made).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { playGame } from "../../src/guess/bot.ts";
import { Scoreboard } from "../../src/guess/scoreboard.ts";
import type { GuessServer } from "../../src/guess/server.ts";
import { startClassroom } from "../../src/guess/web/classroom.ts";
import type { ScoreboardWeb } from "../../src/guess/web/server.ts";
import { inProcess } from "../helpers/tcp.ts";
import { LineClient } from "./helpers.ts";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(
    `skipping the scoreboard page test: no Chromium at ${CHROMIUM} (apt-get install chromium)`,
  );
}

// Flags that work in a container without a GPU, a sandbox or the internet.
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// Within the 32 characters of a name; the second would run if a page ever used innerHTML.
const XSS_NAME = "<script>pwned=1</script>";
const IMG_NAME = "<img src=x onerror=pwned=2>";

/** What the test reads of the page's window (the project's types have no DOM). */
interface PageWindow {
  sameDocument?: boolean;
  pwned?: number;
  document: { querySelectorAll(selector: string): { length: number } };
}

let server: GuessServer;
let web: ScoreboardWeb;
let browser: Browser;
let page: Page;

/** A raw player: named, maximum given, waiting at the guess prompt. */
async function startGame(name: string, max: number): Promise<LineClient> {
  const c = await LineClient.connect(server.port);
  await c.until(/^maximum \?/);
  c.send(new TextEncoder().encode(`nom ${name}\n${max}\n`));
  expect(await c.next()).toBe(`bonjour ${name}`);
  await c.until(/^nombre \?/);
  return c;
}

describe.skipIf(!haveChromium)("the scoreboard page in headless Chromium", () => {
  beforeAll(async () => {
    const classroom = startClassroom({
      ...inProcess(),
      scoreboard: new Scoreboard(),
      pickSecret: (max) => (max * 2n) / 3n,
      web: { host: "127.0.0.1", port: 0 },
    });
    server = classroom.server;
    web = classroom.web as ScoreboardWeb;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      timeout: 20_000,
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await server?.stop();
  });

  test("a game started after the page opened appears live; a <script> name is text", async () => {
    await page.goto(web.url);
    await page.locator("#status.live").waitFor({ timeout: 10_000 });
    await page.evaluate(() => {
      (globalThis as unknown as PageWindow).sameDocument = true;
    });
    expect(await page.locator("#live").textContent()).toBe("aucune");

    const img = await startGame(IMG_NAME, 10);
    const c = await startGame(XSS_NAME, 1000);
    c.send("500\n");
    await c.until(/^plus/);
    const row = page.locator("#live tr", { hasText: "<script>" });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator("td .name").first().textContent()).toBe(XSS_NAME);
    expect(await row.textContent()).toContain("501 … 1000");
    expect(await row.textContent()).not.toContain("666"); // the secret
    const imgRow = page.locator("#live tr", { hasText: "<img" });
    expect(await imgRow.locator("td .name").first().textContent()).toBe(IMG_NAME);
    const state = await page.evaluate(() => {
      const w = globalThis as unknown as PageWindow;
      return {
        same: w.sameDocument,
        pwned: w.pwned,
        injected: w.document.querySelectorAll("tbody script, tbody img").length,
      };
    });
    expect(state).toEqual({ same: true, pwned: undefined, injected: 0 });
    img.close();

    c.send("666\n");
    await c.until(/^gagné/);
    const leader = page.locator("#leaders tr", { hasText: "<script>" });
    await leader.waitFor({ timeout: 10_000 });
    expect(await leader.locator("td .name").first().textContent()).toBe(XSS_NAME);
  }, 30_000);

  test.skipIf(!process.env.SCOREBOARD_SCREENSHOT)(
    "screenshot with a classroom's games",
    async () => {
      const bot = (name: string, max: bigint) =>
        playGame({
          host: "127.0.0.1",
          port: server.port,
          max,
          name,
          timeoutMs: 5000,
          settleMs: 200,
        });
      for (const [name, max] of [
        ["Léa", 1000n],
        ["Léa", 1_000_000n],
        ["Zoé Çelik", 100n],
        ["Mamadou", 1000n],
        ["Nguyễn Văn An", 10n ** 30n],
        ["Robot de Sam", 10n ** 100n],
      ] as const) {
        await bot(name, max);
      }
      const playing = [
        await startGame("Inès", 1000),
        await startGame("Kevin", 1_000_000),
        await startGame("Hugo", 100),
      ];
      playing[0]?.send("500\n");
      playing[1]?.send("500000\n");
      await page.reload();
      await page.locator("#live tr", { hasText: "Hugo" }).waitFor({ timeout: 10_000 });
      await page.waitForTimeout(500);
      await page.screenshot({ path: process.env.SCOREBOARD_SCREENSHOT as string });
      for (const c of playing) c.close();
    },
    30_000,
  );
});
