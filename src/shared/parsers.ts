// Flag value parsers: whole numbers, ports, durations, timeouts, sizes. Each throws a UsageError that
// names the flag.
import { UsageError } from "./errors.ts";

/** A whole number within [min, max], or a UsageError naming the flag. */
export function parseInteger(
  text: string | undefined,
  flag: string,
  min: number,
  max: number,
): number {
  const value = (text ?? "").trim();
  if (!/^\d+$/.test(value))
    throw new UsageError(`${flag} expects a whole number, got '${text ?? ""}'`);
  const n = Number(value);
  if (n < min || n > max)
    throw new UsageError(`${flag} must be between ${min} and ${max}, got ${value}`);
  return n;
}

// The port rule, the same in every program: a port to connect to is 1-65535; a port to
// listen on may also be 0, "any free port" (the kernel picks, the log shows which).

/** A TCP port to connect to, 1-65535. */
export function parsePort(text: string | undefined, flag = "--port"): number {
  return parseInteger(text, flag, 1, 65535);
}

/** A TCP port to listen on, 0-65535 (0 = any free port). */
export function parseListenPort(text: string | undefined, flag = "--port"): number {
  return parseInteger(text, flag, 0, 65535);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "250ms", "2s", "1.5m", or a bare number in `bareUnit`; returns milliseconds. */
export function parseDuration(
  text: string | undefined,
  flag: string,
  bareUnit: "ms" | "s" = "ms",
): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec((text ?? "").trim());
  if (!match)
    throw new UsageError(`${flag} expects a duration such as 500ms, 2s or 1m, got '${text ?? ""}'`);
  const ms = Number(match[1]) * (DURATION_UNITS[match[2] ?? bareUnit] as number);
  if (!Number.isFinite(ms)) throw new UsageError(`${flag} is out of range`);
  return Math.round(ms);
}

/** A duration that must be above 0, such as a timeout. */
export function parseTimeout(text: string | undefined, flag: string): number {
  const ms = parseDuration(text, flag);
  if (ms < 1) throw new UsageError(`${flag} must be above 0`);
  return ms;
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
};

/** "65536", "64k", "64KiB", "1MiB"; returns bytes. */
export function parseSize(
  text: string | undefined,
  flag: string,
  min = 1,
  max = 1024 ** 3,
): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec((text ?? "").trim());
  const unit = SIZE_UNITS[(match?.[2] ?? "?").toLowerCase()];
  if (!match || unit === undefined)
    throw new UsageError(`${flag} expects a size such as 65536, 64k or 1MiB, got '${text ?? ""}'`);
  const bytes = Number(match[1]) * unit;
  if (bytes < min || bytes > max)
    throw new UsageError(`${flag} must be between ${min} and ${max} bytes, got ${bytes}`);
  return bytes;
}
