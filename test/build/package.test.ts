// The package as `npm i -g` installs it: `npm pack`, then the tarball into a temporary prefix,
// then its bin entries run from source with Bun (the shebang), as a user's shell would.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../../scripts/lib/root.ts";
import { runCommand } from "../../scripts/lib/run.ts";

const work = mkdtempSync(join(tmpdir(), `tp-package-${process.pid}-`));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const hasNpm = Bun.which("npm") !== null;
if (!hasNpm) console.warn("skip package install: npm is not installed");

test.skipIf(!hasNpm)(
  "npm pack + npm install -g --prefix: tp-scan --version and a one-port scan",
  async () => {
    const pack = await runCommand(["npm", "pack", "--pack-destination", work], {
      cwd: ROOT,
      timeoutMs: 60_000,
    });
    expect(pack.code).toBe(0);
    const tarball = join(work, pack.stdout.trim().split("\n").at(-1) as string);
    const prefix = join(work, "prefix");
    const install = await runCommand(["npm", "install", "-g", "--prefix", prefix, tarball], {
      timeoutMs: 120_000,
    });
    expect(install.stderr).not.toMatch(/ERR!/);
    expect(install.code).toBe(0);
    const version = await runCommand([join(prefix, "bin", "tp-scan"), "--version"]);
    const { version: expected } = await Bun.file(join(ROOT, "package.json")).json();
    expect(version.stdout.trim()).toBe(`tp-scan ${expected}`);
    const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const scan = await runCommand([
        join(prefix, "bin", "tp-scan"),
        "127.0.0.1",
        "-p",
        String(listener.port),
        "--list",
      ]);
      expect(scan.code).toBe(0);
      expect(scan.stdout.trim()).toBe(String(listener.port));
    } finally {
      listener.stop(true);
    }
    for (const [name, usage] of [
      ["tp-echo", /\nUsage: tp-echo/],
      ["tp-guess", /\nUsage: tp-guess/],
      ["tp-net", /\nUsage: tp-net/],
    ] as const) {
      expect((await runCommand([join(prefix, "bin", name), "--help"])).stdout).toMatch(usage);
    }
  },
  180_000,
);
