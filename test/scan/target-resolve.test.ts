import { describe, expect, test } from "bun:test";
import { type Lookup, resolveNames, systemLookup } from "../../src/scan/targets/resolve.ts";

/** A resolver from a table; unknown names fail as getaddrinfo does. Records concurrency. */
function tableLookup(table: Record<string, string[]>, delayMs = 5) {
  const stats = { inFlight: 0, maxInFlight: 0, calls: [] as string[] };
  const lookup: Lookup = async (name) => {
    stats.calls.push(name);
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    await Bun.sleep(delayMs);
    stats.inFlight--;
    const found = table[name];
    if (!found)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: "ENOTFOUND" });
    return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return { lookup, stats };
}

describe("resolveNames", () => {
  test("one warning per name that fails, in the user's order; the others resolve", async () => {
    const { lookup } = tableLookup({
      "a.example": ["192.0.2.1"],
      "c.example": ["2001:db8::3", "192.0.2.3", "2001:db8::3"],
    });
    const r = await resolveNames(["b.example", "a.example", "c.example", "d.example"], { lookup });
    expect(r.failed).toEqual(["b.example", "d.example"]);
    expect(r.warnings).toEqual([
      "cannot resolve 'b.example' (ENOTFOUND): skipped",
      "cannot resolve 'd.example' (ENOTFOUND): skipped",
    ]);
    expect(r.names.get("a.example")).toEqual({
      address: "192.0.2.1",
      family: 4,
      otherAddresses: [],
    });
    expect(r.names.get("c.example")).toEqual({
      address: "2001:db8::3",
      family: 6,
      otherAddresses: ["192.0.2.3"],
    });
  });

  test("many names at once, never more than the bound in flight, each name asked once", async () => {
    const table = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`h${i}.example`, [`192.0.2.${i}`]]),
    );
    const { lookup, stats } = tableLookup(table);
    const names = [...Object.keys(table), "h0.example", "h1.example"];
    const r = await resolveNames(names, { lookup, concurrency: 8 });
    expect(r.names.size).toBe(40);
    expect(stats.maxInFlight).toBe(8);
    expect(stats.calls.length).toBe(40);
  });

  test("a name with no answer in time fails alone", async () => {
    const lookup: Lookup = (name) =>
      name === "slow.example"
        ? new Promise(() => {})
        : Promise.resolve([{ address: "192.0.2.9", family: 4 }]);
    const r = await resolveNames(["slow.example", "fast.example"], { lookup, timeoutMs: 50 });
    expect(r.warnings).toEqual(["cannot resolve 'slow.example' (no answer in 50 ms): skipped"]);
    expect(r.names.get("fast.example")?.address).toBe("192.0.2.9");
  });

  test("an empty answer is a failure", async () => {
    const r = await resolveNames(["empty.example"], { lookup: async () => [] });
    expect(r.warnings).toEqual(["cannot resolve 'empty.example' (no address): skipped"]);
  });

  test("nothing to resolve", async () => {
    const r = await resolveNames([]);
    expect(r).toEqual({ names: new Map(), warnings: [], failed: [] });
  });
});

describe("the system resolver (no traffic: /etc/hosts and a reserved name)", () => {
  test("localhost resolves to a loopback address", async () => {
    const [first] = await systemLookup("localhost");
    expect(["127.0.0.1", "::1"]).toContain(first?.address ?? "");
  });

  test(".invalid names fail at once without asking a server (RFC 6761)", async () => {
    const r = await resolveNames(["nowhere.invalid", "localhost", "Also.Invalid."]);
    expect(r.failed).toEqual(["nowhere.invalid", "Also.Invalid."]);
    expect(r.warnings[0]).toBe("cannot resolve 'nowhere.invalid' (ENOTFOUND): skipped");
    expect(r.names.has("localhost")).toBe(true);
  });
});
