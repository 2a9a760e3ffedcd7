// Shell completions generated from the citty definitions (@bomb.sh/tab): the bash script loads
// in bash, registers itself, and completes a flag or a subcommand by asking the program back.
import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { exePath, ROOT } from "../../scripts/lib/root.ts";
import { runCommand } from "../../scripts/lib/run.ts";

const BASH_COMPLETION = "/usr/share/bash-completion/bash_completion";
const canRun = Bun.which("bash") !== null && existsSync(BASH_COMPLETION);
if (!canRun)
  console.warn(
    "skip bash completion: needs bash and bash-completion (apt-get install -y bash-completion)",
  );

const cases = [
  { program: "tp-scan", words: ["127.0.0.1", "--po"], expected: "--ports" },
  { program: "tp-guess", words: ["b"], expected: "bot" },
  { program: "tp-echo", words: ["--max-l"], expected: "--max-line" },
];

test.skipIf(!canRun).each(cases)(
  "$program completion bash: completes '$words' to $expected",
  async ({ program, words, expected }) => {
    const fn = `__${program.replace("-", "_")}_complete`;
    const line = [program, ...words].join(" ");
    const script = [
      `source ${BASH_COMPLETION}`,
      `source <(${program} completion bash)`,
      `complete -p ${program}`,
      `COMP_WORDS=(${line}); COMP_CWORD=${words.length}; COMP_LINE='${line}'; COMP_POINT=${line.length}`,
      fn,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash array expansion, not JS.
      'printf "reply:%s\\n" "${COMPREPLY[@]}"',
    ].join("\n");
    // The script calls the program back by name: it must be on PATH, as after an install.
    const dir = exePath(program).replace(/\/[^/]+$/, "");
    const r = await runCommand(["bash", "-c", script], {
      env: { PATH: `${dir}:${ROOT}:${process.env.PATH}` },
    });
    expect(r.stdout).toContain(`complete -F ${fn} ${program}`);
    expect(r.stdout).toContain(`reply:${expected}\n`);
  },
);

test.each(["bash", "zsh", "fish"])(
  "every program prints a %s script naming itself",
  async (shell) => {
    for (const { program } of cases) {
      const r = await runCommand([exePath(program), "completion", shell]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`${shell} completion for ${program}`);
    }
  },
);
