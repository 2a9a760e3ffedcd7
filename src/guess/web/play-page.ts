// The play page (/play): a student types a name and plays over a WebSocket, one text message
// per line each way, the server's French lines shown as they come (textContent only). One
// self-contained document, no external assets (works offline), sized for a phone: one column,
// big touch targets, a numeric keyboard for the answers. Light high-contrast, dark on request.
import { PLAY_SOCKET_PATH } from "./paths.ts";

const STYLE = `
  :root { color-scheme: light dark; --bg: #fff; --fg: #000; --dim: #333; --rule: #777;
          --accent: #003c9e; --up: #7a3e00; --down: #004f8a; --win: #006b1f; --bad: #b00020; }
  @media (prefers-color-scheme: dark) {
    :root { --bg: #000; --fg: #fff; --dim: #ddd; --rule: #888; --accent: #8cc8ff;
            --up: #ffc27a; --down: #9fd3ff; --win: #7dff9a; --bad: #ff8a8a; }
  }
  * { box-sizing: border-box; }
  body { margin: 0 auto; max-width: 40rem; padding: 1rem; background: var(--bg); color: var(--fg);
         font: 1.15rem/1.4 system-ui, "DejaVu Sans", sans-serif; }
  h1 { font-size: 1.6rem; margin: 0 0 0.8rem; }
  label { display: block; font-weight: bold; margin-bottom: 0.3rem; }
  form { display: flex; gap: 0.5rem; margin: 0.6rem 0; }
  input { flex: 1; min-width: 0; font: inherit; font-size: 1.3rem; padding: 0.6rem;
          border: 3px solid var(--fg); border-radius: 0.4rem; background: var(--bg); color: var(--fg); }
  button { font: inherit; font-weight: bold; padding: 0.6rem 1rem; border: 3px solid var(--fg);
           border-radius: 0.4rem; background: var(--fg); color: var(--bg); }
  button:disabled, input:disabled { opacity: 0.5; }
  #last { font-size: 1.5rem; font-weight: bold; min-height: 2.2em; margin: 0.8rem 0;
          padding: 0.6rem; border-left: 0.5rem solid var(--accent); }
  #last.plus { border-color: var(--up); color: var(--up); }
  #last.moins { border-color: var(--down); color: var(--down); }
  #last.won { border-color: var(--win); color: var(--win); }
  #last.bad { border-color: var(--bad); color: var(--bad); }
  #prompt { font-weight: bold; }
  #log { list-style: none; margin: 0; padding: 0; border-top: 2px solid var(--rule); }
  #log li { padding: 0.3rem 0; border-bottom: 1px solid var(--rule); overflow-wrap: anywhere; }
  #log li.me { color: var(--dim); text-align: right; }
  #state { color: var(--dim); }
  [hidden] { display: none !important; }
`;

const SCRIPT = `
"use strict";
const $ = (id) => document.getElementById(id);
const KEEP = 200; // transcript lines kept: the page never grows without bound
let socket;
function say(text, mine) {
  const li = document.createElement("li");
  li.textContent = mine ? "› " + text : text;
  if (mine) li.className = "me";
  const log = $("log");
  log.prepend(li);
  while (log.childElementCount > KEEP) log.lastElementChild.remove();
}
// Questions go above the answer box; every other line (hint, error, result) stays in #last,
// so the hint is still in view while the next question is asked.
function show(line) {
  const word = line.split(/[ :?]/)[0];
  const answer = $("answer");
  if (word === "maximum" || word === "nombre") {
    $("prompt").textContent = line;
    answer.placeholder = word === "maximum" ? "le maximum, par exemple 1000" : "votre proposition";
    return;
  }
  const last = $("last");
  last.textContent = line;
  last.className = word === "plus" ? "plus" : word === "moins" ? "moins"
    : word === "gagné" ? "won" : ["erreur", "perdu", "complet", "délai", "arrêt"].includes(word) ? "bad" : "";
}
function ended(text) {
  $("state").textContent = text;
  $("answer").disabled = true;
  $("send").disabled = true;
  $("again").hidden = false;
}
function play(name) {
  $("start").hidden = true;
  $("game").hidden = false;
  $("again").hidden = true;
  $("answer").disabled = false;
  $("send").disabled = false;
  $("log").replaceChildren();
  $("last").textContent = "";
  $("prompt").textContent = "";
  $("state").textContent = "connexion…";
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "${PLAY_SOCKET_PATH}";
  socket = new WebSocket(url);
  socket.onopen = () => {
    $("state").textContent = "connecté en tant que " + name;
    socket.send("nom " + name);
    say("nom " + name, true);
    $("answer").focus();
  };
  socket.onmessage = (e) => {
    const line = String(e.data);
    // Questions repeat after every hint: shown above the box, left out of the transcript.
    if (!/^(maximum|nombre) ?/.test(line)) say(line, false);
    show(line);
  };
  socket.onclose = () => ended("partie terminée");
  socket.onerror = () => ended("serveur injoignable");
}
$("start").onsubmit = (e) => {
  e.preventDefault();
  const name = $("name").value.trim();
  if (name === "") return;
  try { localStorage.setItem("tp-guess-name", name); } catch {}
  play(name);
};
$("move").onsubmit = (e) => {
  e.preventDefault();
  const text = $("answer").value.trim();
  if (text === "" || !socket || socket.readyState !== WebSocket.OPEN) return;
  socket.send(text);
  say(text, true);
  $("answer").value = "";
  $("answer").focus();
};
$("again").onclick = () => play($("name").value.trim());
try { $("name").value = localStorage.getItem("tp-guess-name") || ""; } catch {}
`;

export const PLAY_PAGE = `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Jeu du nombre secret : jouer</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Jeu du nombre secret</h1>
<form id="start">
<div style="flex:1">
<label for="name">Votre nom</label>
<div style="display:flex;gap:0.5rem">
<input id="name" maxlength="32" autocomplete="nickname" autocapitalize="words" required>
<button id="go">Jouer</button>
</div>
</div>
</form>
<section id="game" hidden>
<div id="state"></div>
<div id="last" aria-live="polite"></div>
<div id="prompt"></div>
<form id="move">
<input id="answer" inputmode="numeric" autocomplete="off" enterkeyhint="send" aria-label="Votre réponse">
<button id="send">Envoyer</button>
</form>
<p><button id="again" type="button" hidden>Rejouer</button></p>
<ol id="log"></ol>
</section>
<script>${SCRIPT}</script>
</body>
</html>
`;
