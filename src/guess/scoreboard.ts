// The classroom's view of the server: games in progress and a leaderboard, fed by the server
// handler and read by the web page, the JSON endpoint, the JSON log and the session summary.
// No sockets and no clock of its own (times come in), so it is unit-tested directly. The
// secret is never part of any view: only the interval the hints have already given away.
import { escapeInvisible } from "../shared/log.ts";
import { plural } from "../shared/plural.ts";
import { guessBound } from "./bot-session.ts";
import type { Game } from "./game.ts";

export type Outcome = "won" | "lost" | "left" | "timeout" | "shutdown" | "error";

/** How a player is marked: the play page, a terminal (nc, telnet, play), or a program. */
export type PlayerKind = "web" | "terminal" | "bot";

/** What the scoreboard reads of a player: its game, and how it plays (room.ts's Seat). */
export interface Player {
  readonly game: Game;
  readonly kind: PlayerKind;
}

/** A duration as the page and the summary both say it: "2 ms", "1.4 s". */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** One finished game: the `--log json` object. */
export interface GameRecord {
  player: string;
  address: string;
  /** Decimal, or null when the player left before giving one. */
  max: string | null;
  guesses: number;
  errors: number;
  outcome: Outcome;
  durationMs: number;
  via: PlayerKind;
}

export interface LiveGame {
  id: number;
  player: string;
  max: string | null;
  guesses: number;
  /** The interval still possible, from the hints given so far. */
  lo: string | null;
  hi: string | null;
  /** floor(log2 max) + 1: the guesses a binary search needs at most. */
  bound: number | null;
  seconds: number;
  via: PlayerKind;
}

export interface Standing {
  player: string;
  games: number;
  wins: number;
  /** Guesses and bounds summed over the games won. */
  guesses: number;
  bound: number;
  /** Quickest win, in ms; null before the first. */
  bestMs: number | null;
  /** bestMs as formatDuration says it (the page shows this text, the summary too). */
  best: string | null;
  /** How its last game was played. */
  via: PlayerKind;
}

export interface ScoreboardView {
  games: number;
  wins: number;
  /** Players with a game counted (the summary's "N players"). */
  players: number;
  live: LiveGame[];
  leaderboard: Standing[];
}

interface Playing {
  player: Player;
  /** Who the player is until it names itself: its IP address. */
  host: string;
  startedAt: number;
}

/** Rows of the leaderboard in a view; the summary names the first three. */
const LEADERBOARD_ROWS = 20;

export class Scoreboard {
  private readonly playing = new Map<number, Playing>();
  private readonly standings = new Map<string, Standing>();
  private readonly listeners = new Set<() => void>();
  private nextId = 1;
  games = 0;
  wins = 0;
  lost = 0;

  /** A game starts; returns its id for `end`. */
  begin(player: Player, host: string, now: number): number {
    const id = this.nextId++;
    this.playing.set(id, { player, host, startedAt: now });
    this.changed();
    return id;
  }

  /** A game moved (a guess, a name): tell the watchers. Views are computed when read. */
  changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** A game ended: its record, counted in the standings. */
  end(id: number, address: string, outcome: Outcome, now: number): GameRecord | undefined {
    const p = this.playing.get(id);
    if (!p) return undefined;
    this.playing.delete(id);
    const g = p.player.game;
    const record: GameRecord = {
      player: g.name ?? p.host,
      address,
      max: g.max === undefined ? null : g.max.toString(),
      guesses: g.guesses,
      errors: g.errors,
      outcome,
      durationMs: Math.round(now - p.startedAt),
      via: p.player.kind,
    };
    this.count(record, g.max);
    this.changed();
    return record;
  }

  private count(r: GameRecord, max: bigint | undefined): void {
    // A game left before it began (no maximum) is no game for the classroom.
    if (max === undefined) return;
    this.games++;
    const s = this.standings.get(r.player) ?? {
      player: r.player,
      games: 0,
      wins: 0,
      guesses: 0,
      bound: 0,
      bestMs: null,
      best: null,
      via: r.via,
    };
    s.games++;
    s.via = r.via;
    if (r.outcome === "lost") this.lost++;
    if (r.outcome === "won") {
      this.wins++;
      s.wins++;
      s.guesses += r.guesses;
      s.bound += guessBound(max);
      s.bestMs = s.bestMs === null ? r.durationMs : Math.min(s.bestMs, r.durationMs);
      s.best = formatDuration(s.bestMs);
    }
    this.standings.set(r.player, s);
  }

  /** Call `listener` after every change; returns the way to stop. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  view(now: number): ScoreboardView {
    const live: LiveGame[] = [];
    for (const [id, p] of this.playing) {
      const g = p.player.game;
      const started = g.max !== undefined;
      live.push({
        id,
        player: g.name ?? p.host,
        max: started ? String(g.max) : null,
        guesses: g.guesses,
        lo: started ? String(g.lo) : null,
        hi: started ? String(g.hi) : null,
        bound: started ? guessBound(g.max as bigint) : null,
        seconds: Math.round((now - p.startedAt) / 100) / 10,
        via: p.player.kind,
      });
    }
    return {
      games: this.games,
      wins: this.wins,
      players: this.standings.size,
      live,
      leaderboard: this.leaders(LEADERBOARD_ROWS),
    };
  }

  /** Most wins first; then fewest guesses for the bound; then the quickest win. */
  leaders(rows: number): Standing[] {
    const ratio = (s: Standing) => (s.bound > 0 ? s.guesses / s.bound : Number.POSITIVE_INFINITY);
    return [...this.standings.values()]
      .sort(
        (a, b) =>
          b.wins - a.wins ||
          ratio(a) - ratio(b) ||
          (a.bestMs ?? Number.POSITIVE_INFINITY) - (b.bestMs ?? Number.POSITIVE_INFINITY),
      )
      .slice(0, rows);
  }

  /**
   * The teacher's end-of-session lines (stderr, on SIGINT/SIGTERM): the page's counts and
   * units, names escaped as every log line is.
   */
  summary(): string[] {
    const lines = [
      `session: ${plural(this.games, "game")}, ${this.wins} won, ${this.lost} lost, ${plural(this.standings.size, "player")}`,
    ];
    this.leaders(3).forEach((s, i) => {
      const won =
        s.best === null ? "" : `, ${s.guesses} guesses for a bound of ${s.bound}, best ${s.best}`;
      lines.push(
        `  ${i + 1}. ${escapeInvisible(s.player)} (${s.via}): ${s.wins}/${s.games} won${won}`,
      );
    });
    return lines;
  }
}
