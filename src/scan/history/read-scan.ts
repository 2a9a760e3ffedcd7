// A scan file of any kind `tp-scan diff` reads, told apart by its first character: `{` is
// tp-scan's --jsonl, `<` an nmap-format XML (nmap's -oX or tp-scan's).
import { readFileSync } from "node:fs";
import { RuntimeError } from "../../shared/errors.ts";
import type { ServiceTable } from "../ports/services.ts";
import { readJsonlScan } from "./jsonl-snapshot.ts";
import type { ScanSnapshot } from "./snapshot.ts";
import { readNmapXml } from "./xml-read.ts";

export function parseScanText(name: string, text: string, services: ServiceTable): ScanSnapshot {
  const first = text.trimStart()[0];
  if (first === "{") return readJsonlScan(name, [{ name, text }], services);
  if (first === "<") return readNmapXml(name, text);
  throw new RuntimeError(`${name}: not a tp-scan --jsonl file nor an nmap -oX file`);
}

/** Read `path` ("-" = stdin) as a scan. */
export function readScanFile(path: string, services: ServiceTable): ScanSnapshot {
  let text: string;
  try {
    text = readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw new RuntimeError(`cannot read '${path}' (${code})`);
  }
  return parseScanText(path, text, services);
}
