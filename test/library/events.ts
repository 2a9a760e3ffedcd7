// What two scans of the same ports must agree on, line by line: every field but the clocks
// and the command line, port lines in port order (threads find open ports in any order).
import type { JsonlLine } from "../../src/scan/api/index.ts";

const CLOCKS = new Set(["startedAt", "elapsedMs", "timing", "command"]);

export function comparable(lines: JsonlLine[]): unknown[] {
  const stripped = lines.map((line) =>
    Object.fromEntries(Object.entries(line).filter(([key]) => !CLOCKS.has(key))),
  );
  const ports = stripped
    .filter((l) => l.type === "port")
    .sort((a, b) => (a.port as number) - (b.port as number));
  return [
    ...stripped.filter((l) => l.type === "scan"),
    ...ports,
    ...stripped.filter((l) => l.type === "host" || l.type === "run"),
  ];
}

export const parseJsonl = (text: string): JsonlLine[] =>
  text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as JsonlLine);
