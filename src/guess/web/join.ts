// How a student joins, as the scoreboard shows it: the play page's URL (and its QR code), and
// `nc HOST PORT` then `nom NAME` for a terminal. The address is the one the server is reached
// at: --public-url when behind NAT, else the listen address, a wildcard one (0.0.0.0, ::)
// replaced by this machine's first LAN address. Plus the up-front check that --port and --web
// do not ask for the same port (issue 19).
//
// The QR code is uqr's (unjs/uqr, MIT, no dependencies, ~8 M downloads a month): an SVG made
// here, inlined in the page, so it works offline; writing and testing our own encoder (Reed-
// Solomon, masks, version tables) would be ~400 lines for what a maintained package does.
import { networkInterfaces } from "node:os";
import { renderSVG } from "uqr";
import { UsageError } from "../../shared/errors.ts";
import { formatHostPort } from "../../shared/net.ts";
import { PLAY_PATH } from "./paths.ts";

export interface JoinInfo {
  playUrl: string;
  /** `nc HOST PORT`'s host and port. */
  host: string;
  port: number;
  /** The play URL as an SVG QR code (black on white, a quiet zone of 4 modules). */
  qrSvg: string;
}

export interface JoinAddresses {
  /** --host and the port the game listens on. */
  tcpHost: string;
  tcpPort: number;
  /** --web-host and the web port. */
  webHost: string;
  webPort: number;
  /** --public-url: the web port's address as the students reach it. */
  publicUrl?: string;
}

const WILDCARDS = new Set(["0.0.0.0", "::", "[::]", ""]);

/** This machine's first non-internal IPv4 address (what a wildcard listener is reached at). */
export function lanAddress(interfaces = networkInterfaces()): string | undefined {
  for (const list of Object.values(interfaces))
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  return undefined;
}

/** The host a student types for a server listening on `host`. */
export function reachableHost(host: string, lan = lanAddress): string {
  return WILDCARDS.has(host) ? (lan() ?? "127.0.0.1") : host;
}

/** --public-url: an http(s) URL with a host; one usage error line otherwise. */
export function parsePublicUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--public-url expects an http:// or https:// URL, got '${text}'`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "")
    throw new UsageError(`--public-url expects an http:// or https:// URL, got '${text}'`);
  return url;
}

export function joinInfo(a: JoinAddresses, lan = lanAddress): JoinInfo {
  let playUrl: string;
  let host: string;
  if (a.publicUrl) {
    const base = parsePublicUrl(a.publicUrl);
    playUrl = new URL(PLAY_PATH.slice(1), base.href.endsWith("/") ? base : `${base.href}/`).href;
    host = base.hostname.replace(/^\[(.*)\]$/, "$1");
  } else {
    playUrl = `http://${formatHostPort(reachableHost(a.webHost, lan), a.webPort)}${PLAY_PATH}`;
    host = reachableHost(a.tcpHost, lan);
  }
  const qrSvg = renderSVG(playUrl, { ecc: "M", border: 4, pixelSize: 8 });
  return { playUrl, host, port: a.tcpPort, qrSvg };
}

/** True when two listen addresses can collide (same host, or either one a wildcard). */
function overlap(a: string, b: string): boolean {
  return a === b || WILDCARDS.has(a) || WILDCARDS.has(b);
}

/** --port and --web on one port of one address: a usage error before anything listens. */
export function checkDistinctPorts(a: {
  host: string;
  port: number;
  webHost: string;
  webPort: number;
}): void {
  if (a.port !== 0 && a.port === a.webPort && overlap(a.host, a.webHost))
    throw new UsageError(
      `--port and --web are both ${a.port}: the game and the web page need a port each`,
    );
}
