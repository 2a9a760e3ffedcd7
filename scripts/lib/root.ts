// Where the repository is, and its compiled executables, for tests, bench and scripts alike.
import { join } from "node:path";

/** The repository root (this file is scripts/lib/root.ts). */
export const ROOT = join(import.meta.dir, "..", "..");

/** A compiled executable of the repository root: ./tp-echo, ./tp-guess, ./tp-scan. */
export function exePath(name: string): string {
  return join(ROOT, name);
}
