import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { embeddedServices, loadServices, parseServices } from "../../src/scan/ports/services.ts";

test("parseServices keeps TCP entries, first name wins, comments ignored", () => {
  const table = parseServices(
    [
      "# comment",
      "ssh\t\t22/tcp\t\t\t\t# SSH Remote Login Protocol",
      "domain\t\t53/udp",
      "http\t\t80/tcp\t\twww",
      "www-alt\t\t80/tcp",
      "bogus\t\tx/tcp",
      "",
    ].join("\n"),
  );
  expect(table.get(22)).toBe("ssh");
  expect(table.get(80)).toBe("http");
  expect(table.has(53)).toBe(false);
  expect(table.size).toBe(2);
});

test("the embedded table covers the common ports", () => {
  const table = embeddedServices();
  expect(table.size).toBeGreaterThan(200);
  expect(table.get(22)).toBe("ssh");
  expect(table.get(25)).toBe("smtp");
  expect(table.get(443)).toBe("https");
  expect(table.get(5432)).toBe("postgresql");
});

test("loadServices reads a services file, or falls back to the embedded table", () => {
  const dir = mkdtempSync(join(tmpdir(), "tp-scan-services-"));
  const file = join(dir, "services");
  writeFileSync(file, "custom\t\t4242/tcp\n");
  expect(loadServices(file)).toEqual({ table: new Map([[4242, "custom"]]), source: file });
  const missing = loadServices(join(dir, "nope"));
  expect(missing.source).toBe("embedded");
  expect(missing.table.get(22)).toBe("ssh");
  if (existsSync("/etc/services")) expect(loadServices().source).toBe("/etc/services");
});
