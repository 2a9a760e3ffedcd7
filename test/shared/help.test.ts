// One help form for the three programs (shared/help.ts): "NAME VERSION" first, subcommands shown
// as <COMMAND>, one placeholder convention, and a command's own sections after its options.
import { describe, expect, test } from "bun:test";
import { defineCommand } from "citty";
import { allowExtraPositionals } from "../../src/shared/command-tree.ts";
import { helpMeta, renderHelp } from "../../src/shared/help.ts";
import { VERSION } from "../../src/shared/version.ts";
import { runExe } from "../helpers/exe.ts";

const demo = allowExtraPositionals(
  defineCommand({
    meta: helpMeta({
      name: "tp-demo",
      description: "A demo",
      sections: [{ title: "Exit codes", lines: ["0  done", "2  usage error"] }],
    }),
    args: {
      target: { type: "positional", required: false, description: "Targets" },
      "host-timeout": { type: "string", description: "Give up on a host" },
      input: { type: "string", alias: "iL", valueHint: "FILE", description: "Read targets" },
      log: { type: "string", valueHint: "text|json", default: "text", description: "Log form" },
      quiet: { type: "boolean", description: "No logs" },
    },
    subCommands: { merge: defineCommand({ meta: { name: "merge", description: "Merge" } }) },
    run() {},
  }),
);

describe("renderHelp", () => {
  test("one placeholder form: <UPPER> names, enum values as typed; defaults in brackets", async () => {
    const help = await renderHelp(demo, "tp-demo", "tp-demo");
    expect(help).toMatch(/\n {6}--host-timeout <HOST_TIMEOUT>\s+Give up on a host\n/);
    expect(help).toMatch(/\n {2}-iL, --input <FILE>\s+Read targets\n/);
    expect(help).toMatch(/\n {6}--log <text\|json>\s+Log form \[default: text\]\n/);
    expect(help).toMatch(/\n {6}--quiet\s+No logs\n/);
    expect(help).not.toMatch(/<[a-z_]+>/);
  });

  test("a command with a run and subcommands shows both usages; many targets repeat", async () => {
    const help = await renderHelp(demo, "tp-demo", "tp-demo");
    expect(help).toStartWith(`tp-demo ${VERSION}\nA demo\n\n`);
    expect(help).toContain("Usage: tp-demo [OPTIONS] [TARGET]...\n       tp-demo <COMMAND> ...\n");
    expect(help).toContain("Commands:\n  merge  Merge\n");
  });

  test("meta sections follow the options", async () => {
    const help = await renderHelp(demo, "tp-demo", "tp-demo");
    expect(help).toMatch(/Options:\n[\s\S]*\n\nExit codes:\n {2}0 {2}done\n {2}2 {2}usage error$/);
  });
});

describe("the programs", () => {
  test("--version is 'NAME VERSION' everywhere, the first line of every help too", async () => {
    for (const [program, args] of [
      ["tp-echo", []],
      ["tp-echo", ["client"]],
      ["tp-guess", []],
      ["tp-guess", ["bot"]],
      ["tp-scan", []],
    ] as const) {
      const version = await runExe(program, [...args, "--version"]);
      expect(version.stdout).toBe(`${program} ${VERSION}\n`);
      const help = await runExe(program, [...args, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout.split("\n")[0]).toBe(`${program} ${VERSION}`);
    }
  });

  test("tp-echo's help shows client as a command, not as a required argument", async () => {
    const help = await runExe("tp-echo", ["--help"]);
    expect(help.stdout).toContain("Usage: tp-echo [OPTIONS]\n       tp-echo <COMMAND> ...\n");
    expect(help.stdout).toMatch(/\nCommands:\n {2}client +Talk to an echo server/);
    expect(help.stdout).not.toContain("[OPTIONS] client");
  });

  test("placeholders are <UPPER> or listed values in every help", async () => {
    for (const [program, args] of [
      ["tp-echo", []],
      ["tp-guess", ["server"]],
      ["tp-guess", ["bot"]],
      ["tp-guess", ["play"]],
      ["tp-scan", []],
    ] as const) {
      const help = await runExe(program, [...args, "--help"]);
      for (const shown of help.stdout.match(/<[^>\s]+>/g) ?? [])
        expect({ program, args, shown }).toEqual({
          program,
          args,
          shown: expect.stringMatching(/^<([A-Z0-9_./]+|[a-z0-9|,-]+)>$/),
        });
    }
  });
});
