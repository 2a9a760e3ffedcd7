// The help text of every program and subcommand, rendered from its citty definition in one
// form (clap's, as rustscan and naabu print it): a "NAME VERSION" line, the description,
// Usage, Commands, Arguments, Options, then the command's own sections (examples, exit codes).
// One placeholder convention: <UPPER> names what goes there (<FILE>, <N>, <DURATION>); an
// enum flag lists its values as typed (<text|json>); [X] is optional, X... may repeat.
import type { ArgDef, ArgsDef, CommandMeta } from "citty";
import {
  type AnyCommand,
  argsOf,
  commandsOf,
  isVariadic,
  placeholder,
  resolveValue,
} from "./command-tree.ts";
import { VERSION } from "./version.ts";

/** A block after the options: a title and its lines, printed as written (indented by two). */
export interface HelpSection {
  title: string;
  lines: string[];
}

/**
 * citty's meta plus what the help renderer also shows. `usage` replaces the generated
 * arguments part of the usage line (e.g. "[TARGET]... [-- NMAP-ARGS]"); `arguments` are rows
 * of the Arguments block after the declared positionals (what citty does not parse, such as
 * the words after `--`); `sections` follow the options (examples, exit codes, notes).
 */
export interface HelpMeta extends CommandMeta {
  usage?: string;
  arguments?: Array<[string, string]>;
  sections?: HelpSection[];
}

/** Type a command's meta as HelpMeta (a call, so citty's meta type takes the extra fields). */
export function helpMeta(meta: HelpMeta): HelpMeta {
  return meta;
}

/** What `--version` prints, and the first line of every help: "tp-scan 0.1.0". */
export function versionLine(program: string): string {
  return `${program} ${VERSION}`;
}

const WIDTH = 100;

/** `text` cut into lines of at most `width` columns (words are not split). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** Rows of "  left  description", the descriptions aligned and wrapped under themselves. */
function table(rows: Array<[string, string]>): string[] {
  const left = Math.min(32, Math.max(...rows.map(([l]) => l.length)));
  const out: string[] = [];
  for (const [name, text] of rows) {
    const pad = " ".repeat(left + 4);
    const body = wrap(text, Math.max(40, WIDTH - pad.length));
    const head = `  ${name.padEnd(left)}  `;
    if (name.length > left) out.push(`  ${name}`, ...body.map((l) => pad + l));
    else out.push(head + (body[0] ?? ""), ...body.slice(1).map((l) => pad + l));
  }
  return out;
}

function defaultNote(def: ArgDef): string {
  if (def.default === undefined || def.type === "boolean") return "";
  return ` [default: ${def.default}]`;
}

function positionalText(name: string, def: ArgDef, variadic: boolean): string {
  const inner = placeholder(name, def);
  const shown = def.required === true ? `<${inner}>` : `[${inner}]`;
  return variadic ? `${shown}...` : shown;
}

function optionRow(name: string, def: ArgDef): [string, string] {
  const alias = "alias" in def ? def.alias : undefined;
  const aliases = (alias === undefined ? [] : Array.isArray(alias) ? alias : [alias]).map(
    (a) => `-${a}`,
  );
  const value = def.type === "boolean" ? "" : ` <${placeholder(name, def)}>`;
  const flags = [...aliases, `--${name}${value}`].join(", ");
  // Long flags line up whether or not there is a short one.
  const shown = aliases.length === 0 ? `    ${flags}` : flags;
  return [shown, `${def.description ?? ""}${defaultNote(def)}`];
}

function usageLine(path: string, meta: HelpMeta, args: ArgsDef, variadic: boolean): string {
  const entries = Object.entries(args);
  const hasOptions = entries.some(([, d]) => d.type !== "positional");
  const positionals = entries.filter(([, d]) => d.type === "positional");
  const tail =
    meta.usage ??
    positionals
      .map(([n, d], i) => positionalText(n, d, variadic && i === positionals.length - 1))
      .join(" ");
  return [path, hasOptions ? "[OPTIONS]" : "", tail].filter(Boolean).join(" ");
}

/**
 * The help of `cmd`, reached as `path` ("tp-guess bot") in `program` ("tp-guess"): plain text,
 * no colours, no trailing blanks.
 */
export async function renderHelp(cmd: AnyCommand, path: string, program: string): Promise<string> {
  const meta = ((await resolveValue(cmd.meta)) ?? {}) as HelpMeta;
  const args = await argsOf(cmd);
  const commands = await commandsOf(cmd);
  const variadic = isVariadic(cmd);
  const out = [versionLine(program)];
  if (meta.description)
    out.push(...wrap(`${path === program ? "" : `${path}: `}${meta.description}`, WIDTH));
  out.push("");
  const usages = cmd.run ? [usageLine(path, meta, args, variadic)] : [];
  if (commands.length > 0) usages.push(`${path} <COMMAND> ...`);
  out.push(`Usage: ${usages.join(`\n       `)}`, "");
  if (commands.length > 0) {
    out.push("Commands:", ...table(commands.map((c) => [c.name, c.description])), "");
  }
  const entries = Object.entries(args);
  const positionals = entries.filter(([, d]) => d.type === "positional");
  const argumentRows = positionals.map(([n, d], i): [string, string] => [
    positionalText(n, d, variadic && i === positionals.length - 1),
    `${d.description ?? ""}${defaultNote(d)}`,
  ]);
  argumentRows.push(...(meta.arguments ?? []));
  if (argumentRows.length > 0) out.push("Arguments:", ...table(argumentRows), "");
  const options = entries.filter(([, d]) => d.type !== "positional");
  const rows = options.map(([n, d]) => optionRow(n, d));
  rows.push(
    ["-h, --help", "Print this help"],
    ["    --version", `Print "${versionLine(program)}"`],
  );
  out.push("Options:", ...table(rows), "");
  if (commands.length > 0) out.push(`See '${path} <COMMAND> --help' for a command's own help.`, "");
  for (const section of meta.sections ?? []) {
    out.push(`${section.title}:`, ...section.lines.map((l) => (l === "" ? "" : `  ${l}`)), "");
  }
  return out
    .join("\n")
    .replace(/[ \t]+$/gm, "")
    .trimEnd();
}
