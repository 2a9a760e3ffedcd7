// Shell completions generated from the citty definitions: the bash script loads in bash (with
// or without the bash-completion package), registers itself, and completes subcommands, flags,
// a flag's listed values and file names by asking the program back (`PROGRAM complete -- ...`).
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineCommand } from "citty";
import { exePath, ROOT } from "../../scripts/lib/root.ts";
import { runCommand } from "../../scripts/lib/run.ts";
import { allowExtraPositionals } from "../../src/shared/command-tree.ts";
import { complete } from "../../src/shared/completion.ts";

const BASH_COMPLETION = "/usr/share/bash-completion/bash_completion";
const hasBash = Bun.which("bash") !== null;
const hasBashCompletion = hasBash && existsSync(BASH_COMPLETION);
if (!hasBash) console.warn("skip bash completion: needs bash");
else if (!hasBashCompletion)
  console.warn("skip bash completion with bash-completion: apt-get install -y bash-completion");

// A directory with files to complete: the script runs there.
const dir = mkdtempSync(join(tmpdir(), "tp-cli-completion-"));
writeFileSync(join(dir, "targets.txt"), "127.0.0.1\n");
writeFileSync(join(dir, "shard-1.jsonl"), "");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** COMPREPLY after typing `words` after `program` in bash (the last word is being typed). */
async function bashReplies(program: string, words: string[], withPackage: boolean) {
  const fn = `_${program.replace("-", "_")}_complete`;
  const line = [program, ...words].join(" ");
  const quoted = [program, ...words].map((w) => `'${w}'`).join(" ");
  const script = [
    withPackage ? `source ${BASH_COMPLETION}` : "",
    `source <(${program} completion bash)`,
    `complete -p ${program}`,
    `COMP_WORDS=(${quoted}); COMP_CWORD=${words.length}; COMP_LINE='${line}'; COMP_POINT=${line.length}`,
    fn,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash array expansion, not JS.
    'printf "reply:%s\\n" "${COMPREPLY[@]}"',
  ].join("\n");
  // The script calls the program back by name: it must be on PATH, as after an install.
  const bin = exePath(program).replace(/\/[^/]+$/, "");
  const r = await runCommand(["bash", "-c", script], {
    cwd: dir,
    env: { PATH: `${bin}:${ROOT}:${process.env.PATH}` },
  });
  expect(r.stdout).toContain(`complete -F ${fn} ${program}`);
  return r.stdout
    .split("\n")
    .flatMap((l) => (l.startsWith("reply:") && l !== "reply:" ? [l.slice(6)] : []));
}

const cases = [
  { program: "tp-scan", words: ["127.0.0.1", "--po"], expected: ["--ports"] },
  { program: "tp-guess", words: ["b"], expected: ["bot"] },
  { program: "tp-echo", words: ["--max-l"], expected: ["--max-line"] },
  { program: "tp-scan", words: ["m"], expected: ["merge"] },
  { program: "tp-echo", words: ["c"], expected: ["client", "completion"] },
  { program: "tp-scan", words: ["-iL", "tar"], expected: ["targets.txt"] },
  { program: "tp-scan", words: ["127.0.0.1", "-oX", "sha"], expected: ["shard-1.jsonl"] },
  { program: "tp-scan", words: ["merge", "sh"], expected: ["shard-1.jsonl"] },
  { program: "tp-guess", words: ["server", "--log", ""], expected: ["text", "json"] },
  { program: "tp-scan", words: ["completion", ""], expected: ["bash", "zsh", "fish"] },
  // A target is no file: nothing is offered.
  { program: "tp-scan", words: ["tar"], expected: [] },
];

describe.each([
  { withPackage: true, skip: !hasBashCompletion },
  { withPackage: false, skip: !hasBash },
])("bash completion, bash-completion sourced: $withPackage", ({ withPackage, skip }) => {
  test.skipIf(skip).each(cases)(
    "$program $words -> $expected",
    async ({ program, words, expected }) => {
      expect((await bashReplies(program, words, withPackage)).sort()).toEqual([...expected].sort());
    },
  );
});

test.skipIf(!hasBashCompletion)(
  "--flag=VALUE completes its value with bash-completion",
  async () => {
    expect(await bashReplies("tp-guess", ["server", "--log=j"], true)).toEqual(["json"]);
  },
);

test.each(["bash", "zsh", "fish"])(
  "every program prints a %s script naming itself",
  async (shell) => {
    for (const program of ["tp-echo", "tp-guess", "tp-scan"]) {
      const r = await runCommand([exePath(program), "completion", shell]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`${shell} completion for ${program}`);
    }
  },
);

test("completion without a shell, or with one it does not know: one line, exit 2", async () => {
  for (const [args, message] of [
    [[], "completion needs a shell: bash, zsh, fish"],
    [["powershell"], "unknown shell 'powershell': expected bash, zsh, fish"],
  ] as const) {
    const r = await runCommand([exePath("tp-scan"), "completion", ...args]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 2,
      stderr: `tp-scan: error: ${message} (see 'tp-scan completion --help')\n`,
    });
  }
});

test("completion's help names it and lists the shells it knows, and says what bash needs", async () => {
  const r = await runCommand([exePath("tp-scan"), "completion", "--help"]);
  expect(r.stdout).toContain("Usage: tp-scan completion [bash|zsh|fish]\n");
  expect(r.stdout).toContain("bash-completion package");
  expect(r.stdout).not.toMatch(/\bcomplete\b|powershell|\bfig\b/);
});

test("the resolver reads what a flag takes from its definition", async () => {
  const root = allowExtraPositionals(
    defineCommand({
      meta: { name: "demo" },
      args: {
        host: { type: "positional" },
        input: { type: "string", alias: "iL", valueHint: "FILE" },
        show: { type: "string", valueHint: "closed|filtered" },
        mode: { type: "enum", options: ["fast", "slow"] },
        quiet: { type: "boolean" },
      },
      run() {},
    }),
  );
  expect(await complete(root, ["-iL", ""])).toEqual({ candidates: [], files: true });
  expect((await complete(root, ["--show", "closed,f"])).candidates.map((c) => c.value)).toEqual([
    "closed,filtered",
  ]);
  expect((await complete(root, ["--mode", ""])).candidates.map((c) => c.value)).toEqual([
    "fast",
    "slow",
  ]);
  // Past a boolean flag, and past `--` (another program's words: files allowed).
  expect(await complete(root, ["--quiet", "x"])).toEqual({ candidates: [], files: false });
  expect((await complete(root, ["--", "-o"])).files).toBe(true);
  expect((await complete(root, ["--q"])).candidates.map((c) => c.value)).toEqual(["--quiet"]);
});
