// Reading a citty command tree the same way for the argv runner (cli.ts), the help (help.ts)
// and the shell completions (completion.ts): subcommands, flags, and what a flag's value is.
// A flag says what it takes through its valueHint: "FILE" (or FILE.jsonl, BASE, PATH, DIR) is
// a file name, "a|b|c" lists the values; an enum flag lists its options.
import type { ArgDef, ArgsDef, CommandDef } from "citty";

// biome-ignore lint/suspicious/noExplicitAny: citty's command tree is heterogeneous by design.
export type AnyCommand = CommandDef<any>;

const variadic = new WeakSet<object>();

/** Mark a command whose trailing positionals (args._) are meaningful, e.g. several scan targets. */
export function allowExtraPositionals<T extends AnyCommand>(cmd: T): T {
  variadic.add(cmd);
  return cmd;
}

/** Whether the command's last positional may repeat. */
export function isVariadic(cmd: AnyCommand): boolean {
  return variadic.has(cmd);
}

export async function resolveValue<T>(
  value: T | Promise<T> | (() => T) | (() => Promise<T>),
): Promise<T> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}

export async function argsOf(cmd: AnyCommand): Promise<ArgsDef> {
  return (await resolveValue(cmd.args)) ?? {};
}

export interface NamedCommand {
  name: string;
  description: string;
  command: AnyCommand;
}

/** The visible subcommands, resolved (their modules are loaded). */
export async function commandsOf(cmd: AnyCommand): Promise<NamedCommand[]> {
  const subs = (await resolveValue(cmd.subCommands)) ?? {};
  const named: NamedCommand[] = [];
  for (const [name, sub] of Object.entries(subs)) {
    const command = (await resolveValue(sub)) as AnyCommand;
    const meta = (await resolveValue(command.meta)) ?? {};
    if (!meta.hidden) named.push({ name, description: meta.description ?? "", command });
  }
  return named;
}

/** The aliases of a flag, as typed without their dash ("p", "iL"). */
export function aliasesOf(def: ArgDef): string[] {
  const alias = "alias" in def ? def.alias : undefined;
  return alias === undefined ? [] : Array.isArray(alias) ? alias : [alias];
}

/** citty's own name for a flag in kebab case: maxLine -> max-line. */
export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

/** The values a flag accepts, when it lists them (enum options, or a hint "a|b|c"). */
export function valuesOf(def: ArgDef): string[] {
  if (def.type === "enum" && "options" in def && Array.isArray(def.options))
    return def.options.map(String);
  const hint = "valueHint" in def ? def.valueHint : undefined;
  return hint?.includes("|") ? hint.split("|") : [];
}

/** The text between <> for a flag's value or a positional: <FILE>, <N>, <text|json>. */
export function placeholder(name: string, def: ArgDef): string {
  const values = valuesOf(def);
  if (values.length > 0) return values.join("|");
  const hint = "valueHint" in def && def.valueHint ? def.valueHint : kebab(name);
  return hint.toUpperCase().replace(/-/g, "_");
}

/** Whether the value is a file name (completed with the shell's file names). */
export function takesFile(name: string, def: ArgDef): boolean {
  return /^(FILE|BASE|PATH|DIR)\b/.test(placeholder(name, def));
}
