// The scoreboard page: one self-contained HTML document (no external assets, so it works in
// a classroom without internet), large type for a projector. Its script fills the tables
// from the event stream with textContent only: names are user input, never parsed as HTML.
import { EVENTS_PATH } from "./paths.ts";

const STYLE = `
  :root { color-scheme: dark; }
  body { margin: 0; padding: 2vh 3vw; background: #111; color: #eee;
         font: 2.6vh/1.35 system-ui, "DejaVu Sans", sans-serif; }
  h1 { font-size: 5vh; margin: 0 0 1vh; }
  h2 { font-size: 3.6vh; margin: 3vh 0 1vh; color: #9cf; }
  #totals { font-size: 3vh; color: #bbb; }
  #status { float: right; font-size: 2.2vh; color: #f88; }
  #status.live { color: #8f8; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 0.5vh 1.2vw; border-bottom: 1px solid #333;
           white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 40vw; }
  th { color: #aaa; font-weight: normal; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr.first td { color: #fd6; font-weight: bold; }
  .empty { color: #777; font-style: italic; }
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
function duration(ms) {
  return ms < 1000 ? ms + " ms" : (ms / 1000).toFixed(1) + " s";
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
    + v.live.length + " en cours";
  fill($("live"), v.live, 5, (g) => {
    const tr = document.createElement("tr");
    tr.dataset.id = g.id;
    cell(tr, g.player);
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
    cell(tr, s.player);
    cell(tr, s.wins + " / " + s.games, "num");
    cell(tr, s.wins === 0 ? "–" : s.guesses + " / " + s.bound, "num");
    cell(tr, s.bestMs === null ? "–" : duration(s.bestMs), "num");
    return tr;
  });
}
const source = new EventSource("${EVENTS_PATH}");
source.onmessage = (e) => render(JSON.parse(e.data));
source.onopen = () => { $("status").textContent = "en direct"; $("status").className = "live"; };
source.onerror = () => { $("status").textContent = "serveur injoignable"; $("status").className = ""; };
`;

export const SCOREBOARD_PAGE = `<!doctype html>
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
