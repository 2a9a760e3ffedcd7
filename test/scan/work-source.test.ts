import { describe, expect, test } from "bun:test";
import { orderTables } from "../../src/scan/engine/order.ts";
import { CTL, createShared } from "../../src/scan/engine/shared-memory.ts";
import { type WorkHooks, WorkSource } from "../../src/scan/engine/work-source.ts";

const hooks: WorkHooks = { skipped: () => {}, known: () => {}, enter: () => {} };

/** The window's memory with every host let in (one group). */
function sharedAll(hostCount: number, portCount: number) {
  const shared = createShared(hostCount, portCount);
  Atomics.store(shared.ctl, CTL.admitted, 1);
  return shared;
}

/** Every entry a WorkSource hands out, as "host:portIndex". */
function drain(source: WorkSource): string[] {
  const got: string[] = [];
  while (source.next()) got.push(`${source.host}:${source.portIndex}`);
  return got;
}

describe("WorkSource host pin", () => {
  const hostCount = 5;
  const ports = Array.from({ length: 300 }, (_, i) => i + 1);
  const tables = orderTables({ hostCount, ports, seed: 7, ordered: false });

  test("pinned Workers split the space by host: each entry once, each host in one Worker", () => {
    const shared = sharedAll(hostCount, ports.length);
    const parts = [0, 1].map((index) =>
      drain(new WorkSource(tables, null, { index, count: 2 }, shared, hooks)),
    );
    for (const [index, part] of parts.entries())
      for (const entry of part) expect(Number(entry.split(":")[0]) % 2).toBe(index);
    const all = parts.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(hostCount * ports.length);
  });

  test("unpinned Workers share one cursor: together they cover the space once", () => {
    const shared = sharedAll(hostCount, ports.length);
    const a = new WorkSource(tables, null, null, shared, hooks);
    const b = new WorkSource(tables, null, null, shared, hooks);
    const got: string[] = [];
    for (;;) {
      const fromA = a.next();
      if (fromA) got.push(`${a.host}:${a.portIndex}`);
      const fromB = b.next();
      if (fromB) got.push(`${b.host}:${b.portIndex}`);
      if (!fromA && !fromB) break;
    }
    expect(new Set(got).size).toBe(hostCount * ports.length);
    expect(got.length).toBe(hostCount * ports.length);
  });
});
