// Keep the probe loop out of JavaScriptCore's top JIT tier (FTL). The loop's speed is the
// kernel's (two connect() per closed port); what FTL buys per call is small, but compiling the
// loop's ~35 functions with it costs each Worker ~70 ms of CPU on a JIT thread, taken from the
// probing threads on a machine whose cores they already fill. The DFG tier below it compiles
// in a fraction of that. (Full loopback range, 2 cores: see docs/scan-engine.md.)
import { noFTL } from "bun:jsc";

/**
 * Mark `functions` (the loop's top-level functions) and every method reachable from `roots`
 * (their prototype chains, and their fields', recursively). Objects made later (per-host
 * estimators) are reached through a prototype root.
 */
export function keepOffFtl(functions: readonly unknown[], ...roots: object[]): void {
  for (const f of functions) if (typeof f === "function") noFTL(f as (...a: unknown[]) => unknown);
  const seen = new Set<object>();
  const visit = (value: unknown, depth: number): void => {
    if (value === null || typeof value !== "object" || seen.has(value) || depth > 3) return;
    seen.add(value);
    if (ArrayBuffer.isView(value) || Array.isArray(value)) return;
    for (let proto = Object.getPrototypeOf(value); proto && proto !== Object.prototype; ) {
      if (seen.has(proto)) break;
      seen.add(proto);
      for (const name of Object.getOwnPropertyNames(proto)) {
        const method = Object.getOwnPropertyDescriptor(proto, name)?.value;
        if (typeof method === "function" && name !== "constructor") noFTL(method);
      }
      proto = Object.getPrototypeOf(proto);
    }
    for (const field of Object.values(value)) visit(field, depth + 1);
  };
  for (const root of roots) visit(root, 0);
}
