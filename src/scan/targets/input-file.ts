// Target lists from files, as nmap's -iL reads them: targets separated by blanks or newlines,
// `#` to the end of a line is a comment, `-` for stdin.
import { readFileSync } from "node:fs";
import { UsageError } from "../../shared/errors.ts";

/** The specs of a target list, in order. */
export function parseTargetList(text: string): string[] {
  const specs: string[] = [];
  for (const line of text.split("\n")) {
    for (const word of line.replace(/#.*/, "").trim().split(/\s+/))
      if (word !== "") specs.push(word);
  }
  return specs;
}

export interface InputSource {
  readFile: (path: string) => string;
  readStdin: () => string;
}

export const systemInput: InputSource = {
  readFile: (path) => readFileSync(path, "utf8"),
  readStdin: () => readFileSync(0, "utf8"),
};

/** Read the list named by `flag` (a path, or `-` for stdin); a file that cannot be read is a usage error. */
export function readTargetList(path: string, flag: string, input = systemInput): string[] {
  let text: string;
  try {
    text = path === "-" ? input.readStdin() : input.readFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw new UsageError(`${flag}: cannot read '${path}' (${code})`);
  }
  return parseTargetList(text);
}
