// The lab's echo dialogue (§2 of the lab), as plain functions: what the server says on
// connect, after each line, and when the client leaves. Byte-exact with the lab's Python
// server: a client written for one sees the same bytes from the other.

import { decodeText, encodeText } from "../shared/lines.ts";
import { formatHostPort } from "../shared/net.ts";
import { plural } from "../shared/plural.ts";

/** The lab's port for the echo server. */
export const ECHO_PORT = 2003;

export const PROMPT = "Votre message ?\n";
/** The lab sends it with no line end before closing. */
export const GOODBYE = "Good Bye.";
export const ECHO_PREFIX = "ECHO : ";

export const PROMPT_BYTES = encodeText(PROMPT);
const GOODBYE_BYTES = encodeText(GOODBYE);
export const ECHO_PREFIX_BYTES = encodeText(ECHO_PREFIX);

/** The greeting followed by the first prompt; an IPv6 host gets brackets so the port stays readable. */
export function welcome(host: string, port: number): Uint8Array {
  return encodeText(`Vous êtes connecté au serveur ${formatHostPort(host, port)}.\n${PROMPT}`);
}

const isAsciiBlank = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);

/**
 * FIN in any case, or a blank line, ends the dialogue (the lab strips surrounding blanks).
 * Decides on bytes for plain ASCII edges, so a long message costs no decoding; falls back to
 * Unicode-aware trimming when an edge is non-ASCII (a no-break space counts as blank, as in Python).
 */
export function isEndOfDialogue(line: Uint8Array, from = 0, to = line.length): boolean {
  let start = from;
  let end = to;
  while (start < end && isAsciiBlank(line[start] as number)) start++;
  while (end > start && isAsciiBlank(line[end - 1] as number)) end--;
  if (start === end) return true;
  if ((line[start] as number) >= 0x80 || (line[end - 1] as number) >= 0x80) {
    const text = decodeText(line.subarray(start, end)).trim();
    return text === "" || text.toUpperCase() === "FIN";
  }
  return end - start === 3 && decodeText(line.subarray(start, end)).toUpperCase() === "FIN";
}

export type Reply = { kind: "echo"; bytes: Uint8Array } | { kind: "goodbye"; bytes: Uint8Array };

/**
 * The server's answer to one line (line end included, as received): the echo of the line
 * exactly as sent followed by the next prompt, or Good Bye.
 */
export function answer(line: Uint8Array): Reply {
  if (isEndOfDialogue(line)) return { kind: "goodbye", bytes: GOODBYE_BYTES };
  const out = new Uint8Array(ECHO_PREFIX_BYTES.length + line.length + PROMPT_BYTES.length);
  out.set(ECHO_PREFIX_BYTES, 0);
  out.set(line, ECHO_PREFIX_BYTES.length);
  out.set(PROMPT_BYTES, ECHO_PREFIX_BYTES.length + line.length);
  return { kind: "echo", bytes: out };
}

export function goodbye(): Uint8Array {
  return GOODBYE_BYTES;
}

// One-line notices for the limits, sent before the server closes the connection.
export const notices = {
  lineTooLong: (max: number) =>
    encodeText(`Ligne trop longue : ${max} octets au maximum. Good Bye.\n`),
  idle: (seconds: number) =>
    encodeText(`Inactif depuis ${seconds} s : connexion fermée. Good Bye.\n`),
  full: (max: number) =>
    encodeText(`Serveur complet : ${plural(max, "client")} au maximum, réessayez plus tard.\n`),
};
