// Shell completion from the citty definitions: given the words typed so far, what may come
// next. Subcommands, flags, a flag's listed values ("a|b" hint or enum options), and file
// names where a flag or an argument takes a file (its placeholder is FILE...): the shell's own
// file completion is asked for then. No hand list: a flag declares what it takes
// (command-tree.ts).
import type { ArgDef } from "citty";
import {
  type AnyCommand,
  aliasesOf,
  argsOf,
  commandsOf,
  isVariadic,
  kebab,
  takesFile,
  valuesOf,
} from "./command-tree.ts";

export interface Candidate {
  value: string;
  description: string;
}

export interface Completion {
  candidates: Candidate[];
  /** The shell should offer file names too. */
  files: boolean;
}

interface Flag {
  name: string;
  def: ArgDef;
}

/** The flag `word` names in `cmd` ("--ports", "-p", "-iL", "--max-line=64k"), if any. */
async function findFlag(cmd: AnyCommand, word: string): Promise<Flag | undefined> {
  const body = word.replace(/^--?/, "").split("=")[0] as string;
  for (const [name, def] of Object.entries(await argsOf(cmd))) {
    if (def.type === "positional") continue;
    if (
      word.startsWith("--") ? name === body || kebab(name) === body : aliasesOf(def).includes(body)
    )
      return { name, def };
  }
  return undefined;
}

function takesValue(def: ArgDef): boolean {
  return def.type === "string" || def.type === "enum";
}

/** A flag's value: its listed values (after the last comma of a list), or file names. */
function valueCompletion(flag: Flag, typed: string): Completion {
  const comma = typed.lastIndexOf(",");
  const head = typed.slice(0, comma + 1);
  const candidates = valuesOf(flag.def)
    .map((v) => ({ value: head + v, description: "" }))
    .filter((c) => c.value.startsWith(typed));
  return { candidates, files: takesFile(flag.name, flag.def) };
}

async function flagCandidates(cmd: AnyCommand, typed: string): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const [name, def] of Object.entries(await argsOf(cmd))) {
    if (def.type === "positional") continue;
    const description = def.description ?? "";
    for (const alias of aliasesOf(def)) out.push({ value: `-${alias}`, description });
    out.push({ value: `--${name}`, description });
  }
  out.push({ value: "--help", description: "Print this help" });
  return out.filter((c) => c.value.startsWith(typed));
}

interface Position {
  cmd: AnyCommand;
  /** Positionals typed before the current word (subcommand names excluded). */
  positionals: number;
  /** The current word is the value of this flag. */
  valueFor?: Flag;
  /** Past `--`: the words belong to another program. */
  passedThrough: boolean;
}

/** Walk the words before the current one: subcommands chosen, flag values skipped. */
async function locate(root: AnyCommand, before: string[]): Promise<Position> {
  const at: Position = { cmd: root, positionals: 0, passedThrough: false };
  for (let i = 0; i < before.length; i++) {
    const word = before[i] as string;
    if (word === "--") return { ...at, passedThrough: true };
    if (word.startsWith("-") && word !== "-") {
      const flag = await findFlag(at.cmd, word);
      if (flag && takesValue(flag.def) && !word.includes("=")) {
        // Plain bash splits "--log=js" into "--log", "=", "js".
        if (before[i + 1] === "=") i++;
        if (i >= before.length - 1) return { ...at, valueFor: flag };
        i++;
      }
      continue;
    }
    const sub =
      at.positionals === 0
        ? (await commandsOf(at.cmd)).find((c) => c.name === word)?.command
        : undefined;
    if (sub) at.cmd = sub;
    else at.positionals++;
  }
  return at;
}

/** What may follow `words` (the words after the program's name; the last one is being typed). */
export async function complete(root: AnyCommand, words: string[]): Promise<Completion> {
  const typed = words.at(-1) ?? "";
  const at = await locate(root, words.slice(0, -1));
  if (at.passedThrough) return { candidates: [], files: true };
  if (at.valueFor) return valueCompletion(at.valueFor, typed);
  const eq = typed.indexOf("=");
  if (typed.startsWith("--") && eq > 0) {
    const flag = await findFlag(at.cmd, typed);
    // The shell completes the part after "=" (a word break in bash, a prefix in zsh).
    return flag ? valueCompletion(flag, typed.slice(eq + 1)) : { candidates: [], files: false };
  }
  if (typed.startsWith("-"))
    return { candidates: await flagCandidates(at.cmd, typed), files: false };
  const candidates: Candidate[] = [];
  if (at.positionals === 0) {
    for (const c of await commandsOf(at.cmd))
      if (c.name.startsWith(typed)) candidates.push({ value: c.name, description: c.description });
  }
  const positionals = Object.entries(await argsOf(at.cmd)).filter(
    ([, d]) => d.type === "positional",
  );
  const index = isVariadic(at.cmd)
    ? Math.min(at.positionals, positionals.length - 1)
    : at.positionals;
  const next = positionals[index];
  if (next === undefined) return { candidates, files: false };
  for (const value of valuesOf(next[1]))
    if (value.startsWith(typed)) candidates.push({ value, description: "" });
  return { candidates, files: takesFile(next[0], next[1]) };
}

/** ShellCompDirectiveNoFileComp of the cobra-style scripts (@bomb.sh/tab's and ours). */
const NO_FILES = 4;

/** The answer to `PROGRAM complete -- WORDS`: "value\tdescription" lines, then ":directive". */
export function formatCompletion(c: Completion): string {
  const lines = c.candidates.map((x) => `${x.value}\t${x.description.split("\n")[0]}`);
  lines.push(`:${c.files ? 0 : NO_FILES}`);
  return `${lines.join("\n")}\n`;
}
