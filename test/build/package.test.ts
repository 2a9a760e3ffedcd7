// The package as users get it: `npm pack`, then the tarball installed the two ways users do
// (`npm install -g` into a prefix; `bun add` into an empty project), its bin entries run with
// Bun (the shebang) as a user's shell would; and what the tarball holds (license, docs, links).
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { ROOT } from "../../scripts/lib/root.ts";
import { runCommand } from "../../scripts/lib/run.ts";

const work = mkdtempSync(join(tmpdir(), `tp-package-${process.pid}-`));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const hasNpm = Bun.which("npm") !== null;
if (!hasNpm) console.warn("skip package tests: npm is not installed");
const manifest = await Bun.file(join(ROOT, "package.json")).json();

let packed: Promise<{ tarball: string; files: string[] }> | null = null;
/** `npm pack` once for every test of this file: the tarball and the paths it holds. */
function pack(): Promise<{ tarball: string; files: string[] }> {
  packed ??= (async () => {
    const run = await runCommand(["npm", "pack", "--json", "--pack-destination", work], {
      cwd: ROOT,
      timeoutMs: 60_000,
    });
    expect(run.code).toBe(0);
    const [info] = JSON.parse(run.stdout) as Array<{ filename: string; files: { path: string }[] }>;
    if (!info) throw new Error("npm pack printed no package");
    return { tarball: join(work, info.filename), files: info.files.map((f) => f.path) };
  })();
  return packed;
}

/** The relative links of a Markdown file (`[text](path)`, `![alt](path)`), anchors dropped. */
function relativeLinks(markdown: string): string[] {
  const links = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
  return links
    .filter((l) => !/^[a-z]+:/i.test(l) && !l.startsWith("#"))
    .map((l) => l.split("#")[0] as string);
}

test("the manifest is publishable: not private, a license file, engines, an exports map", async () => {
  expect(manifest.private).toBeUndefined();
  expect(manifest.license).toBe("MIT");
  expect(await Bun.file(join(ROOT, "LICENSE")).text()).toStartWith("MIT License");
  expect(manifest.engines.bun).toMatch(/^>=\d+\.\d+\.\d+$/);
  expect(Bun.semver.satisfies(Bun.version, manifest.engines.bun)).toBe(true);
  expect(manifest.exports["./package.json"]).toBe("./package.json");
});

test.skipIf(!hasNpm)(
  "the tarball holds LICENSE, and every relative link of its Markdown files resolves inside it",
  async () => {
    const { files } = await pack();
    expect(files).toContain("LICENSE");
    const shipped = new Set(files);
    const markdown = files.filter((f) => f.endsWith(".md"));
    expect(markdown).toContain("docs/output.md");
    const broken: string[] = [];
    for (const file of markdown) {
      for (const link of relativeLinks(await Bun.file(join(ROOT, file)).text())) {
        const target = normalize(join(dirname(file), link)).replace(/\/$/, "");
        const isFolder = files.some((f) => f.startsWith(`${target}/`));
        if (!shipped.has(target) && !isFolder) broken.push(`${file} -> ${link}`);
      }
    }
    expect(broken).toEqual([]);
  },
  120_000,
);

async function scanOneListener(tpScan: string[], cwd?: string): Promise<void> {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  try {
    const scan = await runCommand(
      [...tpScan, "127.0.0.1", "-p", String(listener.port), "--list"],
      cwd ? { cwd } : {},
    );
    expect(scan.stderr).toBe("");
    expect(scan.code).toBe(0);
    expect(scan.stdout.trim()).toBe(String(listener.port));
  } finally {
    listener.stop(true);
  }
}

async function expectUsages(binDir: string): Promise<void> {
  for (const [name, usage] of [
    ["tp-echo", /\nUsage: tp-echo/],
    ["tp-guess", /\nUsage: tp-guess/],
    ["tp-net", /\nUsage: tp-net/],
  ] as const) {
    expect((await runCommand([join(binDir, name), "--help"])).stdout).toMatch(usage);
  }
}

test.skipIf(!hasNpm)(
  "npm install -g --prefix: tp-scan --version and a one-port scan",
  async () => {
    const { tarball } = await pack();
    const prefix = join(work, "prefix");
    const install = await runCommand(["npm", "install", "-g", "--prefix", prefix, tarball], {
      timeoutMs: 120_000,
    });
    expect(install.stderr).not.toMatch(/ERR!/);
    expect(install.code).toBe(0);
    const version = await runCommand([join(prefix, "bin", "tp-scan"), "--version"]);
    expect(version.stdout.trim()).toBe(`tp-scan ${manifest.version}`);
    await scanOneListener([join(prefix, "bin", "tp-scan")]);
    await expectUsages(join(prefix, "bin"));
  },
  180_000,
);

test.skipIf(!hasNpm)(
  "bun add TARBALL into an empty project: its bins, `bun x tp-net scan`, the shipped docs",
  async () => {
    const { tarball } = await pack();
    const project = join(work, "project");
    await Bun.write(join(project, "package.json"), '{ "name": "user-project", "private": true }\n');
    const add = await runCommand(["bun", "add", tarball], { cwd: project, timeoutMs: 120_000 });
    expect(add.code).toBe(0);
    const installed = join(project, "node_modules", "tp-net");
    expect(await Bun.file(join(installed, "LICENSE")).exists()).toBe(true);
    expect(await Bun.file(join(installed, "docs", "output.md")).exists()).toBe(true);
    const bin = join(project, "node_modules", ".bin");
    await scanOneListener([join(bin, "tp-scan")]);
    await scanOneListener(["bun", "x", "tp-net", "scan"], project);
    await expectUsages(bin);
  },
  180_000,
);
