// The play page in a real browser (Debian's Chromium, driven by playwright-core): two phone-
// sized pages and one TCP bot play at once on one server, and a third page, the scoreboard,
// shows all three live, marked web, web and bot; its QR code decodes (jsQR, in the page) to
// the play URL. PLAY_SCREENSHOT=docs/play-phone.png also saves the play page as a phone shows
// it (how the docs' picture is made).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { playGame } from "../../src/guess/bot.ts";
import { Scoreboard } from "../../src/guess/scoreboard.ts";
import { type Classroom, startClassroom } from "../../src/guess/web/classroom.ts";
import { inProcess } from "../helpers/tcp.ts";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  console.warn(
    `skipping the play page test: no Chromium at ${CHROMIUM} (apt-get install chromium)`,
  );

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
/** A phone's screen (CSS pixels of a common 6" phone). */
const PHONE = { width: 390, height: 844 };
const JSQR = join(import.meta.dir, "..", "..", "node_modules", "jsqr", "dist", "jsQR.js");

let classroom: Classroom;
let browser: Browser;
let playUrl: string;
let boardUrl: string;

/** Name yourself on a fresh phone-sized page; resolves at the maximum question. */
async function joinAs(name: string): Promise<Page> {
  const page = await browser.newPage({ viewport: PHONE, isMobile: true, hasTouch: true });
  await page.goto(playUrl);
  await page.locator("#name").fill(name);
  await page.locator("#go").click();
  await page.locator("#log li", { hasText: `bonjour ${name}` }).waitFor({ timeout: 10_000 });
  await page.locator("#prompt", { hasText: /^maximum \?/ }).waitFor({ timeout: 10_000 });
  return page;
}

/** Type an answer as a person does, key by key (a program answering within 40 ms is a bot). */
async function answer(page: Page, text: string): Promise<void> {
  await page.locator("#answer").pressSequentially(text, { delay: 25 });
  await page.locator("#answer").press("Enter");
}

/** Binary search through the page's form, reading the hints from its transcript. */
async function playOnPage(page: Page, max: number): Promise<number> {
  await answer(page, String(max));
  await page.locator("#prompt", { hasText: /^nombre \?/ }).waitFor({ timeout: 10_000 });
  const hints = page.locator("#log li").filter({ hasText: /^(plus|moins|gagné)/ });
  let lo = 1;
  let hi = max;
  for (let guesses = 1; guesses <= 20; guesses++) {
    const guess = Math.floor((lo + hi) / 2);
    await answer(page, String(guess));
    await hints.nth(guesses - 1).waitFor({ timeout: 10_000 });
    const hint = (await hints.first().textContent()) ?? "";
    if (hint.startsWith("gagné")) return guesses;
    if (hint.startsWith("plus")) lo = guess + 1;
    else hi = guess - 1;
  }
  throw new Error("no win within 20 guesses");
}

/** The scoreboard's row for `name` in `table` (live or leaders), once it shows. */
async function rowOf(board: Page, table: string, name: string): Promise<string> {
  const row = board.locator(`#${table} tr`).filter({
    has: board.locator(".name", { hasText: new RegExp(`^${name}$`) }),
  });
  await row.waitFor({ timeout: 10_000 });
  return (await row.locator(".via").textContent()) ?? "";
}

describe.skipIf(!haveChromium)("the play page in headless Chromium", () => {
  beforeAll(async () => {
    const opts = inProcess();
    classroom = startClassroom({
      ...opts,
      scoreboard: new Scoreboard(),
      pickSecret: (max) => (max * 2n) / 3n,
      web: { host: "127.0.0.1", port: 0 },
    });
    boardUrl = classroom.web?.url ?? "";
    playUrl = `${boardUrl}play`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      timeout: 20_000,
    });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await classroom?.web?.stop();
    await classroom?.server.stop();
  });

  test("two pages and a TCP bot play at once; the scoreboard shows them live, marked", async () => {
    const board = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await board.goto(boardUrl);
    await board.locator("#status.live").waitFor({ timeout: 10_000 });
    const [ana, ben] = await Promise.all([joinAs("Ana"), joinAs("Ben")]);
    expect(await rowOf(board, "live", "Ana")).toBe("web");
    expect(await rowOf(board, "live", "Ben")).toBe("web");
    const [anaGuesses, benGuesses, bot] = await Promise.all([
      playOnPage(ana, 100),
      playOnPage(ben, 1000),
      playGame({
        host: "127.0.0.1",
        port: classroom.server.port,
        max: 1000n,
        name: "Robot",
        timeoutMs: 5000,
        settleMs: 200,
      }),
    ]);
    expect(bot).toMatchObject({ won: true });
    expect(await ana.locator("#last").textContent()).toBe(
      `gagné en ${anaGuesses} coups : le nombre secret était 66`,
    );
    expect(benGuesses).toBeGreaterThan(1);
    expect(await rowOf(board, "leaders", "Ana")).toBe("web");
    expect(await rowOf(board, "leaders", "Ben")).toBe("web");
    expect(await rowOf(board, "leaders", "Robot")).toBe("bot");
    expect(await board.locator("#totals").textContent()).toContain("3 joueurs");
    // The game over, the page offers another.
    await ana.locator("#again").waitFor({ timeout: 10_000 });
  }, 60_000);

  test("the scoreboard says how to join; its QR code decodes to the play URL", async () => {
    const board = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await board.goto(boardUrl);
    expect(await board.locator("#play-url").textContent()).toBe(playUrl);
    expect(await board.locator("#join").textContent()).toContain(
      `nc 127.0.0.1 ${classroom.server.port} puis nom VOTRE_NOM`,
    );
    await board.addScriptTag({ path: JSQR });
    // The SVG drawn on a canvas, its pixels given to jsQR (in the page: no image library here).
    const decoded = await board.evaluate(`(async () => {
      const svg = document.querySelector("#join .qr svg");
      const img = new Image();
      const blob = new Blob([svg.outerHTML], { type: "image/svg+xml" });
      img.src = URL.createObjectURL(blob);
      await img.decode();
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 400;
      const ctx = canvas.getContext("2d");
      ctx.drawImage(img, 0, 0, 400, 400);
      const pixels = ctx.getImageData(0, 0, 400, 400);
      const code = jsQR(pixels.data, 400, 400);
      return code ? code.data : null;
    })()`);
    expect(decoded).toBe(playUrl);
  }, 30_000);

  test("a name that would show blank is refused on the page, then a good one is taken", async () => {
    const page = await browser.newPage({ viewport: PHONE });
    await page.goto(playUrl);
    await page.locator("#name").fill("\u3164");
    await page.locator("#go").click();
    await page
      .locator("#last", { hasText: /^erreur : nom invisible/ })
      .waitFor({ timeout: 10_000 });
    await answer(page, "nom Zoé");
    await page.locator("#log li", { hasText: "bonjour Zoé" }).waitFor({ timeout: 10_000 });
    await page.close();
  }, 30_000);

  test.skipIf(!process.env.PLAY_SCREENSHOT)(
    "screenshot of a game on a phone",
    async () => {
      const page = await joinAs("Léa");
      await answer(page, "1000");
      for (const guess of ["500", "750", "625"]) {
        await page.locator("#prompt", { hasText: /^nombre \?/ }).waitFor({ timeout: 10_000 });
        await answer(page, guess);
      }
      await page.locator("#last", { hasText: /625$/ }).waitFor({ timeout: 10_000 });
      await page.screenshot({ path: process.env.PLAY_SCREENSHOT as string });
      await page.close();
    },
    30_000,
  );
});
