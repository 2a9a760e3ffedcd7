import { describe, expect, test } from "bun:test";
import { defineCommand } from "citty";
import { runCli } from "../../src/shared/cli.ts";
import { UsageError } from "../../src/shared/errors.ts";
import {
  parseDuration,
  parseInteger,
  parseListenPort,
  parsePort,
  parseSize,
  parseTimeout,
} from "../../src/shared/parsers.ts";

describe("value parsers", () => {
  test("ports: 1-65535 only, digits only", () => {
    expect(parsePort("1")).toBe(1);
    expect(parsePort("65535")).toBe(65535);
    for (const bad of ["0", "65536", "70000", "-1", "80x", "", " ", "1e3", "0x50"]) {
      expect(() => parsePort(bad)).toThrow(UsageError);
    }
  });

  test("listening ports: 0-65535, 0 being any free port", () => {
    expect(parseListenPort("0")).toBe(0);
    expect(parseListenPort("65535")).toBe(65535);
    for (const bad of ["65536", "-1", "", "0x50"]) {
      expect(() => parseListenPort(bad)).toThrow(UsageError);
    }
    expect(() => parseListenPort("65536")).toThrow("--port must be between 0 and 65535, got 65536");
  });

  test("timeouts: a duration above 0", () => {
    expect(parseTimeout("500ms", "--timeout")).toBe(500);
    expect(parseTimeout("2s", "--timeout")).toBe(2000);
    expect(() => parseTimeout("0", "--timeout")).toThrow("--timeout must be above 0");
    expect(() => parseTimeout("0.1ms", "--settle")).toThrow("--settle must be above 0");
    expect(() => parseTimeout("soon", "--timeout")).toThrow(/--timeout expects a duration/);
  });

  test("integers within bounds", () => {
    expect(parseInteger("10", "-c", 1, 10)).toBe(10);
    expect(() => parseInteger("11", "-c", 1, 10)).toThrow("-c must be between 1 and 10");
    expect(() => parseInteger(undefined, "-c", 1, 10)).toThrow(UsageError);
  });

  test("durations with units, bare numbers in the caller's unit", () => {
    expect(parseDuration("250ms", "-t")).toBe(250);
    expect(parseDuration("2s", "-t")).toBe(2000);
    expect(parseDuration("1.5m", "-t")).toBe(90_000);
    expect(parseDuration("3", "-t", "s")).toBe(3000);
    expect(parseDuration("3", "-t", "ms")).toBe(3);
    for (const bad of ["", "fast", "-1s", "1 d", "s"])
      expect(() => parseDuration(bad, "-t")).toThrow(UsageError);
  });

  test("sizes with binary units", () => {
    expect(parseSize("65536", "--max-line")).toBe(65536);
    expect(parseSize("64k", "--max-line")).toBe(65536);
    expect(parseSize("1MiB", "--max-line")).toBe(1024 * 1024);
    expect(() => parseSize("12 parsecs", "--max-line")).toThrow(UsageError);
    expect(() => parseSize("0", "--max-line")).toThrow(UsageError);
  });
});

describe("runCli", () => {
  const seen: Array<Record<string, unknown>> = [];
  const cmd = defineCommand({
    meta: { name: "demo" },
    args: {
      target: { type: "positional", required: true },
      count: { type: "string", alias: "c", default: "1" },
      "dry-run": { type: "boolean" },
    },
    run({ args }) {
      seen.push({ ...args });
    },
  });

  async function exitCodeOf(argv: string[]): Promise<number> {
    const before = process.exitCode;
    process.exitCode = 0;
    const write = process.stderr.write;
    process.stderr.write = () => true;
    try {
      await runCli(cmd, argv);
      return Number(process.exitCode ?? 0);
    } finally {
      process.stderr.write = write;
      process.exitCode = before;
    }
  }

  test("known flags and aliases run the command", async () => {
    expect(await exitCodeOf(["host", "-c", "5", "--dry-run"])).toBe(0);
    expect(seen.at(-1)).toMatchObject({ target: "host", count: "5", "dry-run": true });
  });

  test("unknown flags, missing values, extra or missing positionals are usage errors (2)", async () => {
    const runs = seen.length;
    expect(await exitCodeOf(["host", "--bogus"])).toBe(2);
    expect(await exitCodeOf(["host", "-c"])).toBe(2);
    expect(await exitCodeOf(["host", "extra"])).toBe(2);
    expect(await exitCodeOf([])).toBe(2);
    expect(seen.length).toBe(runs);
  });
});

test("a usage error in a subcommand points at that subcommand's help", async () => {
  const sub = defineCommand({
    meta: { name: "bot" },
    args: { host: { type: "positional", required: true } },
    run() {},
  });
  const main = defineCommand({ meta: { name: "tp-demo" }, subCommands: { bot: sub } });
  const lines: string[] = [];
  const write = process.stderr.write;
  const before = process.exitCode;
  process.stderr.write = ((chunk: string) => {
    lines.push(String(chunk));
    return true;
  }) as typeof write;
  try {
    await runCli(main, ["bot"]);
    expect(process.exitCode).toBe(2);
  } finally {
    process.stderr.write = write;
    process.exitCode = before;
  }
  expect(lines.join("")).toBe(
    "tp-demo: error: Missing required positional argument: HOST (see 'tp-demo bot --help')\n",
  );
});
