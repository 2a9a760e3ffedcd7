// The scoreboard page: one self-contained HTML document (no external assets, so it works in
// a classroom without internet), large type for a projector: a light high-contrast theme (black
// on white reads from the back of a lit room; #aaa on #111 washed out), dark when the system
// asks for it. It says how to join (play URL and its QR code, `nc HOST PORT` then `nom NAME`).
// Its script fills the tables from the event stream with textContent only: names are user
// input, never parsed as HTML.
import type { JoinInfo } from "./join.ts";
import { EVENTS_PATH } from "./paths.ts";

const STYLE = `
  :root { color-scheme: light dark; --bg: #fff; --fg: #000; --dim: #333; --rule: #999;
          --accent: #003c9e; --first: #7a4a00; --bad: #b00020; --good: #006b1f; --tag: #e8e8e8; }
  @media (prefers-color-scheme: dark) {
    :root { --bg: #000; --fg: #fff; --dim: #ddd; --rule: #666; --accent: #8cc8ff;
            --first: #ffd75e; --bad: #ff8a8a; --good: #7dff9a; --tag: #333; }
  }
  body { margin: 0; padding: 2vh 3vw; background: var(--bg); color: var(--fg);
         font: 2.8vh/1.35 system-ui, "DejaVu Sans", sans-serif; }
  h1 { font-size: 5vh; margin: 0 0 1vh; }
  h2 { font-size: 3.6vh; margin: 3vh 0 1vh; color: var(--accent); }
  #totals { font-size: 3vh; color: var(--dim); }
  #status { float: right; font-size: 2.4vh; color: var(--bad); font-weight: bold; }
  #status.live { color: var(--good); }
  #join { display: flex; gap: 2vw; align-items: center; border: 3px solid var(--fg);
          padding: 1.5vh 2vw; margin: 1vh 0 2vh; }
  #join[hidden] { display: none; }
  #join .qr { width: 28vh; height: 28vh; flex: none; background: #fff; }
  #join .qr svg { width: 100%; height: 100%; display: block; }
  #join p { margin: 0.6vh 0; font-size: 3.2vh; }
  #join code { font: bold 3.4vh ui-monospace, "DejaVu Sans Mono", monospace; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 0.5vh 1.2vw; border-bottom: 2px solid var(--rule);
           white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 40vw; }
  th { color: var(--dim); font-weight: normal; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr.first td { color: var(--first); font-weight: bold; }
  .via { display: inline-block; min-width: 4.2em; margin-right: 0.6em; padding: 0 0.3em;
         border: 2px solid var(--fg); border-radius: 0.3em; background: var(--tag);
         font-size: 0.8em; text-align: center; font-weight: bold; }
  .empty { color: var(--dim); font-style: italic; }
`;

const SCRIPT = `
"use strict";
const $ = (id) => document.getElementById(id);
function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  row.appendChild(td);
}
function short(n) {
  return n === null ? "–" : n.length <= 16 ? n : n.slice(0, 6) + "…(" + n.length + " chiffres)";
}
const VIA = { web: "web", terminal: "terminal", bot: "bot" };
function playerCell(row, name, via) {
  const td = document.createElement("td");
  const tag = document.createElement("span");
  tag.className = "via via-" + via;
  tag.textContent = VIA[via] || "?";
  const text = document.createElement("span");
  text.className = "name";
  text.textContent = name;
  td.append(tag, text);
  row.appendChild(td);
}
function fill(body, rows, columns, render) {
  body.replaceChildren();
  if (rows.length === 0) {
    const tr = document.createElement("tr");
    cell(tr, "aucune", "empty");
    tr.firstChild.colSpan = columns;
    body.appendChild(tr);
  }
  rows.forEach((r, i) => body.appendChild(render(r, i)));
}
function render(v) {
  $("totals").textContent = v.games + " parties terminées, " + v.wins + " gagnées, "
    + v.live.length + " en cours, " + v.players + " joueurs";
  fill($("live"), v.live, 5, (g) => {
    const tr = document.createElement("tr");
    tr.dataset.id = g.id;
    playerCell(tr, g.player, g.via);
    cell(tr, short(g.max), "num");
    cell(tr, g.bound === null ? String(g.guesses) : g.guesses + " / " + g.bound, "num");
    cell(tr, g.lo === null ? "–" : short(g.lo) + " … " + short(g.hi), "num");
    cell(tr, g.seconds.toFixed(0) + " s", "num");
    return tr;
  });
  fill($("leaders"), v.leaderboard, 5, (s, i) => {
    const tr = document.createElement("tr");
    if (i === 0 && s.wins > 0) tr.className = "first";
    cell(tr, String(i + 1), "num");
    playerCell(tr, s.player, s.via);
    cell(tr, s.wins + " / " + s.games, "num");
    cell(tr, s.wins === 0 ? "–" : s.guesses + " / " + s.bound, "num");
    cell(tr, s.best === null ? "–" : s.best, "num");
    return tr;
  });
}
const source = new EventSource("${EVENTS_PATH}");
source.onmessage = (e) => render(JSON.parse(e.data));
source.onopen = () => { $("status").textContent = "en direct"; $("status").className = "live"; };
source.onerror = () => { $("status").textContent = "serveur injoignable"; $("status").className = ""; };
`;

/** Text for HTML (the public URL is the teacher's input, still never markup). */
function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}

/** How to join, once the game listens: the play URL and its QR code, and the nc line. */
function joinBox(join: JoinInfo | undefined): string {
  if (!join) return '<div id="join" hidden></div>';
  const nc = `<p>Terminal : <code>nc ${escapeHtml(join.host)} ${join.port}</code> puis <code>nom VOTRE_NOM</code></p>`;
  if (join.playUrl === "") return `<div id="join"><div>${nc}</div></div>`;
  const url = escapeHtml(join.playUrl);
  return `<div id="join"><div class="qr" role="img" aria-label="QR code de ${url}">${join.qrSvg}</div><div><p>Pour jouer : <code id="play-url">${url}</code></p>${nc}</div></div>`;
}

export function scoreboardPage(join: JoinInfo | undefined): string {
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Jeu du nombre secret : tableau des scores</title>
<style>${STYLE}</style>
</head>
<body>
<span id="status">connexion…</span>
<h1>Jeu du nombre secret</h1>
${joinBox(join)}
<div id="totals">…</div>
<h2>Parties en cours</h2>
<table>
<thead><tr><th>Joueur</th><th class="num">Maximum</th><th class="num">Coups / borne</th><th class="num">Intervalle possible</th><th class="num">Durée</th></tr></thead>
<tbody id="live"></tbody>
</table>
<h2>Classement</h2>
<table>
<thead><tr><th class="num">#</th><th>Joueur</th><th class="num">Gagnées / parties</th><th class="num">Coups / borne</th><th class="num">Meilleur temps</th></tr></thead>
<tbody id="leaders"></tbody>
</table>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
