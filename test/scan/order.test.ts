import { expect, test } from "bun:test";
import {
  DISCOVERY_PORTS,
  FeistelPermutation,
  orderTables,
  shardLength,
  shardPosition,
  USUAL_PORTS,
  WorkOrder,
} from "../../src/scan/engine/order.ts";

function walk(hostCount: number, ports: number[], seed: number, ordered = false) {
  const order = new WorkOrder(orderTables({ hostCount, ports, seed, ordered }));
  const out: Array<[number, number]> = [];
  for (let k = 0; k < order.total; k++) {
    order.decode(k);
    out.push([order.host, ports[order.portIndex] as number]);
  }
  return out;
}

test("the Feistel permutation is a bijection of [0, n) for sizes around powers of two", () => {
  for (const n of [1, 2, 3, 5, 16, 17, 255, 1000, 4097]) {
    const p = new FeistelPermutation(n, 42);
    const seen = new Set(Array.from({ length: n }, (_, i) => p.at(i)));
    expect(seen.size).toBe(n);
    expect(Math.max(...seen)).toBe(n - 1);
  }
});

test("every (host, port) comes exactly once; the seed decides the order", () => {
  const ports = [1, 2, 3, 22, 80, 443, 1000, 1001];
  const a = walk(7, ports, 1);
  expect(new Set(a.map(([h, p]) => `${h}:${p}`)).size).toBe(7 * ports.length);
  expect(walk(7, ports, 1)).toEqual(a);
  expect(walk(7, ports, 2)).not.toEqual(a);
});

test("each round gives every host one probe, usual ports first, in a shuffled host order", () => {
  const ports = Array.from({ length: 100 }, (_, i) => i + 1).concat([443]);
  const hosts = 10;
  const seq = walk(hosts, ports, 7);
  for (let round = 0; round < ports.length; round++) {
    const slice = seq.slice(round * hosts, (round + 1) * hosts);
    expect(new Set(slice.map(([h]) => h)).size).toBe(hosts);
  }
  // Usual ports present in the list lead every host's sequence, most usual first.
  const lead = USUAL_PORTS.filter((p) => ports.includes(p)).slice(0, DISCOVERY_PORTS);
  for (let r = 0; r < lead.length; r++)
    for (const [, port] of seq.slice(r * hosts, (r + 1) * hosts))
      expect(port).toBe(lead[r] as number);
  expect(seq.slice(0, hosts).map(([h]) => h)).not.toEqual([...Array(hosts).keys()]);
});

test("--ordered walks hosts and ports in ascending order", () => {
  expect(walk(2, [22, 80, 81], 5, true)).toEqual([
    [0, 22],
    [1, 22],
    [0, 80],
    [1, 80],
    [0, 81],
    [1, 81],
  ]);
});

test("shards are disjoint and together are the whole order", () => {
  const total = 1003;
  for (const count of [1, 2, 3, 7]) {
    const seen = new Uint8Array(total);
    for (let index = 1; index <= count; index++) {
      const shard = count === 1 ? null : { index, count };
      for (let n = 0; n < shardLength(total, shard); n++) {
        const k = shardPosition(n, shard);
        seen[k] = (seen[k] as number) + 1;
      }
    }
    expect(seen.every((v) => v === 1)).toBe(true);
  }
});
