// nmap's UDP payload database (nmap-payloads): which datagram makes the service on a port
// answer. Pure parser, and the loader that prefers nmap's own file where nmap is installed
// (udp-payloads.ts holds the embedded set used otherwise).
//
// The format (the file's own header): `udp PORTS "payload" ["more" ...] [keyword ARGS]`, an
// entry possibly spread over several lines; PORTS a comma-separated list of ports and ranges;
// strings in C escapes (\xHH, \0, \r, \n, \t, \\, \"); `#` starts a comment outside a string;
// a keyword's arguments stay on its line, so an unknown keyword is skipped to the end of it.
// `source PORT` asks for a source port (nmap does not honour it, nor does tp-scan: kept).
import { UsageError } from "../../shared/errors.ts";
import { MAX_PORT } from "./port-spec.ts";

export const NMAP_PAYLOADS = "/usr/share/nmap/nmap-payloads";

export interface PayloadEntry {
  /** Ports the payload is sent to, expanded. */
  ports: number[];
  payload: Uint8Array;
  /** `source PORT`: the source port the entry asks for (not honoured). */
  sourcePort: number | null;
  /** Line of the entry's `udp` keyword (1-based), for error messages and reports. */
  line: number;
  /** The comment just above the entry (nmap's payload name), "" without one. */
  name: string;
}

type Token =
  | { kind: "word"; text: string; line: number; comment: string }
  | { kind: "string"; bytes: Uint8Array; line: number };

const ESCAPES: Record<string, number> = { "0": 0, r: 13, n: 10, t: 9, a: 7, b: 8, f: 12, v: 11 };

/** One quoted string from `start` (the opening quote): its bytes and the index after it. */
function readString(text: string, start: number, line: number): { bytes: number[]; end: number } {
  const bytes: number[] = [];
  let i = start + 1;
  while (i < text.length && text[i] !== '"') {
    const ch = text[i] as string;
    if (ch === "\n") break;
    if (ch !== "\\") {
      bytes.push(ch.charCodeAt(0) & 0xff);
      i++;
      continue;
    }
    const next = text[i + 1] ?? "";
    const hex = /^[0-9a-fA-F]{2}$/.exec(text.slice(i + 2, i + 4));
    if (next === "x" && hex) {
      bytes.push(Number.parseInt(hex[0], 16));
      i += 4;
    } else if (next in ESCAPES) {
      bytes.push(ESCAPES[next] as number);
      i += 2;
    } else {
      bytes.push(next.charCodeAt(0) & 0xff); // \\ \" and any other escaped character as itself
      i += 2;
    }
  }
  if (text[i] !== '"') throw new UsageError(`nmap-payloads line ${line}: unterminated string`);
  return { bytes, end: i + 1 };
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let comment = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === "\n") {
      line++;
      i++;
    } else if (ch === " " || ch === "\t" || ch === "\r") i++;
    else if (ch === "#") {
      const end = text.indexOf("\n", i);
      comment = text.slice(i + 1, end < 0 ? text.length : end).trim();
      i = end < 0 ? text.length : end;
    } else if (ch === '"') {
      const { bytes, end } = readString(text, i, line);
      tokens.push({ kind: "string", bytes: Uint8Array.from(bytes), line });
      i = end;
    } else {
      const match = /^[^\s"#]+/.exec(text.slice(i, i + 4096)) as RegExpExecArray;
      tokens.push({ kind: "word", text: match[0], line, comment });
      comment = "";
      i += match[0].length;
    }
  }
  return tokens;
}

/** "53,69,1025-1199" as ports; a bad list is an error naming the line. */
function parsePortList(text: string, line: number): number[] {
  const ports: number[] = [];
  for (const part of text.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    const low = Number(m?.[1]);
    const high = m?.[2] === undefined ? low : Number(m[2]);
    if (!m || !(low >= 0 && low <= high && high <= MAX_PORT))
      throw new UsageError(`nmap-payloads line ${line}: bad port list "${text}"`);
    for (let p = low; p <= high; p++) ports.push(p);
  }
  return ports;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Every entry of an nmap-payloads text, in file order. */
export function parseNmapPayloads(text: string): PayloadEntry[] {
  const tokens = tokenize(text);
  const entries: PayloadEntry[] = [];
  let i = 0;
  while (i < tokens.length) {
    const head = tokens[i++] as Token;
    if (head.kind !== "word" || head.text !== "udp")
      throw new UsageError(`nmap-payloads line ${head.line}: expected "udp"`);
    const list = tokens[i++];
    if (list?.kind !== "word")
      throw new UsageError(`nmap-payloads line ${head.line}: expected a port list`);
    const ports = parsePortList(list.text, list.line);
    const parts: Uint8Array[] = [];
    while (tokens[i]?.kind === "string") parts.push((tokens[i++] as { bytes: Uint8Array }).bytes);
    if (parts.length === 0)
      throw new UsageError(`nmap-payloads line ${head.line}: expected a quoted payload`);
    let sourcePort: number | null = null;
    // Keywords up to the next entry; an unknown one's arguments (same line) are skipped.
    while (i < tokens.length) {
      const t = tokens[i] as Token;
      if (t.kind === "word" && t.text === "udp") break;
      const arg = tokens[i + 1];
      if (t.kind === "word" && t.text === "source" && arg?.kind === "word" && arg.line === t.line) {
        sourcePort = parsePortList(arg.text, arg.line)[0] as number;
        i += 2;
        continue;
      }
      const keywordLine = t.line;
      while (i < tokens.length && (tokens[i] as Token).line === keywordLine) i++;
    }
    entries.push({
      ports,
      payload: concat(parts),
      sourcePort,
      line: head.line,
      name: head.comment,
    });
  }
  return entries;
}
