// An nmap user's command line, as tp-scan takes it: nmap's flags that change nothing for this
// scanner (accepted, each saying why), and nmap's rule that a flag with a value is given once
// ("Only 1 -p option allowed"), where citty alone would keep the last value silently.
import type { ArgsDef } from "citty";
import { aliasesOf, kebab } from "../../shared/command-tree.ts";
import { UsageError } from "../../shared/errors.ts";

/** Spread into the scan's args; run/settings.ts checks -T's value (0-2 are refused there). */
export const nmapNoOpArgs = {
  "never-resolve": {
    type: "boolean",
    alias: "n",
    description: "nmap's -n, accepted: no effect (tp-scan never looks up the names of addresses)",
  },
  verbose: {
    type: "boolean",
    alias: ["v", "vv"],
    description: "nmap's -v/-vv, accepted: no effect (each host is printed as soon as it is done)",
  },
  timing: {
    type: "string",
    alias: "T",
    valueHint: "3|4|5",
    description:
      "nmap's -T3/-T4/-T5, accepted: no effect (timing adapts to each host); for -T0-2 use --rate",
  },
} as const satisfies ArgsDef;

interface ValueFlag {
  /** The args key. */
  name: string;
  /** How the user typed it: -p, -iL (citty's runner may have made it --iL), --ports. */
  shown: string;
}

/** The flags that take a value, by every name they are typed with ("p", "ports", "iL"). */
function valueFlags(args: ArgsDef): Map<string, ValueFlag> {
  const flags = new Map<string, ValueFlag>();
  for (const [name, def] of Object.entries(args)) {
    if (def.type !== "string" && def.type !== "enum") continue;
    for (const long of [name, kebab(name)]) flags.set(long, { name, shown: `--${long}` });
    for (const alias of aliasesOf(def)) flags.set(alias, { name, shown: `-${alias}` });
  }
  return flags;
}

/** The flag a word names, with the value written in it (--ports=80, -p80, -T4), if any. */
function readFlag(word: string, flags: Map<string, ValueFlag>) {
  const long = word.startsWith("--");
  const body = word.slice(long ? 2 : 1);
  const eq = body.indexOf("=");
  const flag = flags.get(eq >= 0 ? body.slice(0, eq) : body);
  if (flag !== undefined) return { ...flag, value: eq >= 0 ? body.slice(eq + 1) : null };
  // -p80, -p-, -T4: a one-letter flag with its value attached.
  const letter = long ? undefined : flags.get(body[0] as string);
  return letter === undefined ? null : { ...letter, value: body.slice(1) };
}

const LISTS = new Set(["ports", "exclude-ports", "exclude"]);

/**
 * Refuse a flag with a value given twice (`-p 80 -p 81`), as nmap does for -p: the last one
 * would win silently. The words after `--` are nmap's and not looked at.
 */
export function refuseRepeatedFlags(args: ArgsDef, argv: string[]): void {
  const flags = valueFlags(args);
  const first = new Map<string, string>();
  const end = argv.indexOf("--");
  const words = end < 0 ? argv : argv.slice(0, end);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (!word.startsWith("-") || word === "-" || /^-\d/.test(word)) continue;
    const flag = readFlag(word, flags);
    if (flag === null) continue;
    const value = flag.value ?? words[++i] ?? "";
    const earlier = first.get(flag.name);
    if (earlier === undefined) {
      first.set(flag.name, value);
      continue;
    }
    const fix = LISTS.has(flag.name)
      ? `one ${flag.shown} with a comma list, as in ${flag.shown} ${earlier},${value}`
      : `give it once`;
    throw new UsageError(`${flag.shown} given twice ('${earlier}', '${value}'): ${fix}`);
  }
}
