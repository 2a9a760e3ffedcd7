// `PROGRAM completion bash|zsh|fish` prints a script for that shell; the script asks the
// program back, `PROGRAM complete -- WORDS...` (hidden), which answers from the command tree
// (completion.ts). zsh and fish scripts come from @bomb.sh/tab (cobra's, ask for file names
// when told); bash's is ours, because tab's never offers file names.
import { defineCommand } from "citty";
import { type AnyCommand, allowExtraPositionals } from "./command-tree.ts";
import { complete, formatCompletion } from "./completion.ts";
import { UsageError } from "./errors.ts";
import { helpMeta } from "./help.ts";

const SHELLS = ["bash", "zsh", "fish"] as const;
type Shell = (typeof SHELLS)[number];

/**
 * Plain bash is enough; with the bash-completion package, `--flag=value` completes too
 * (its _get_comp_words_by_ref keeps "=" inside the word).
 */
export function bashScript(program: string): string {
  const fn = `_${program.replace(/[^A-Za-z0-9]/g, "_")}_complete`;
  return `# bash completion for ${program} (${program} completion bash)
${fn}() {
    local cur words cword out directive line
    if declare -F _get_comp_words_by_ref >/dev/null; then
        _get_comp_words_by_ref -n =: cur words cword
    else
        cur="\${COMP_WORDS[COMP_CWORD]}"; words=("\${COMP_WORDS[@]}"); cword=$COMP_CWORD
    fi
    [[ "$cur" == --*=* ]] && cur="\${cur#*=}"
    out=$(${program} complete -- "\${words[@]:1:$cword}" 2>/dev/null) || return
    directive=\${out##*:}
    out=\${out%:*}
    COMPREPLY=()
    local IFS=$'\\n'
    for line in $out; do COMPREPLY+=("\${line%%$'\\t'*}"); done
    if (( (directive & 4) == 0 )); then
        compopt -o filenames 2>/dev/null
        COMPREPLY+=($(compgen -f -- "$cur"))
    fi
}
complete -F ${fn} ${program}
`;
}

async function script(shell: Shell, program: string): Promise<string> {
  if (shell === "bash") return bashScript(program);
  // tab's generator prints the script; take it instead.
  const { script: print } = await import("@bomb.sh/tab");
  const lines: string[] = [];
  const log = console.log;
  console.log = (text: string) => lines.push(text);
  try {
    print(shell, program, program);
  } finally {
    console.log = log;
  }
  return `${lines.join("\n")}\n`;
}

/** The `completion` and hidden `complete` commands of `program`, answering from `root`. */
export function completionCommands(
  program: string,
  root: AnyCommand,
): { completion: AnyCommand; complete: AnyCommand } {
  const completion = defineCommand({
    meta: helpMeta({
      name: "completion",
      description: `Print the shell completion script of ${program} for bash, zsh or fish`,
      sections: [
        {
          title: "Install",
          lines: [
            `bash  source <(${program} completion bash)     # in ~/.bashrc; --flag=VALUE needs the bash-completion package`,
            `zsh   source <(${program} completion zsh)      # in ~/.zshrc, after compinit`,
            `fish  ${program} completion fish > ~/.config/fish/completions/${program}.fish`,
          ],
        },
      ],
    }),
    args: {
      shell: {
        type: "positional",
        required: false,
        valueHint: SHELLS.join("|"),
        description: "The shell to print the script for",
      },
    },
    async run({ args }) {
      const shell = args.shell as string | undefined;
      if (shell === undefined)
        throw new UsageError(`completion needs a shell: ${SHELLS.join(", ")}`);
      if (!(SHELLS as readonly string[]).includes(shell))
        throw new UsageError(`unknown shell '${shell}': expected ${SHELLS.join(", ")}`);
      process.stdout.write(await script(shell as Shell, program));
    },
  });
  const completeWords = allowExtraPositionals(
    defineCommand({
      meta: { name: "complete", description: "Answer a completion script", hidden: true },
      async run({ rawArgs }) {
        const words = rawArgs.slice(rawArgs.indexOf("--") + 1);
        process.stdout.write(formatCompletion(await complete(root, words)));
      },
    }),
  );
  return { completion, complete: completeWords };
}
