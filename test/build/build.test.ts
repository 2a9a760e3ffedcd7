// scripts/build.ts and scripts/release.ts as a user runs them: native and cross builds with
// `file` checking what came out, and a release archive unpacked and checked with sha256sum -c.
// Each cross build writes ~100 MB and may download that system's runtime once (~100 MB, from the
// npm registry): by default only darwin-arm64 is cross-built; TP_BUILD_CROSS=all builds every
// target, TP_BUILD_CROSS=none none. A failed download skips, with the reason.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type BuildOutput,
  buildTarget,
  nativeTarget,
  PROGRAMS,
  parseTargets,
  ROOT,
  TARGETS,
  type Target,
} from "../../scripts/build.ts";
import { runCommand } from "../../scripts/lib/run.ts";
import { release } from "../../scripts/release.ts";

const work = mkdtempSync(join(tmpdir(), `tp-build-${process.pid}-`));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What `file` says of each target's executable. */
const FILE_KIND: Record<Target, RegExp> = {
  "linux-x64": /ELF 64-bit LSB .*x86-64/,
  "linux-arm64": /ELF 64-bit LSB .*(ARM aarch64|aarch64)/,
  "darwin-arm64": /Mach-O 64-bit .*arm64/,
  "darwin-x64": /Mach-O 64-bit .*x86_64/,
  "windows-x64": /PE32\+ executable .*x86-64/,
};

const crossSpec = process.env.TP_BUILD_CROSS ?? "darwin-arm64";
const cross =
  crossSpec === "none" ? [] : parseTargets(crossSpec).filter((t) => t !== nativeTarget());
const hasFile = Bun.which("file") !== null;
const DOWNLOAD_FAILURE =
  /download|extract executable|ConnectionRefused|ENOTFOUND|fetch|timed? ?out/i;

async function fileKind(path: string): Promise<string> {
  return (await runCommand(["file", "-b", path])).stdout.trim();
}

test("parseTargets: lists, all, and unknown names refused", () => {
  expect(parseTargets("linux-x64,darwin-arm64")).toEqual(["linux-x64", "darwin-arm64"]);
  expect(parseTargets("all")).toEqual([...TARGETS]);
  expect(() => parseTargets("linux-x64,beos-ppc")).toThrow(/unknown target 'beos-ppc'/);
});

test("the command line refuses an unknown target with exit 2 and one line", async () => {
  const r = await runCommand(["bun", join(ROOT, "scripts", "build.ts"), "--target", "beos-ppc"]);
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/unknown target 'beos-ppc'/)]);
});

test("native build into --outdir: tp-net and its names, one inode, runnable", async () => {
  const outdir = join(work, "native");
  const r = await runCommand(["bun", join(ROOT, "scripts", "build.ts"), "--outdir", outdir]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const inode = statSync(join(outdir, "tp-net")).ino;
  for (const p of PROGRAMS) expect(statSync(join(outdir, p)).ino).toBe(inode);
  if (hasFile) expect(await fileKind(join(outdir, "tp-net"))).toMatch(FILE_KIND[nativeTarget()]);
  const version = await runCommand([join(outdir, "tp-scan"), "--version"]);
  expect(version.stdout.trim()).toMatch(/^tp-scan \d+\.\d+\.\d+$/);
});

/** Each cross build, made before the tests so that a failed download can skip them. */
const crossBuilds = new Map<Target, { out?: BuildOutput; error?: Error; skip?: string }>();
for (const target of hasFile ? cross : []) {
  try {
    crossBuilds.set(target, { out: await buildTarget({ target, outdir: join(work, target) }) });
  } catch (error) {
    const message = (error as Error).message;
    if (DOWNLOAD_FAILURE.test(message)) {
      console.warn(`skip ${target}: its Bun runtime could not be downloaded: ${message}`);
      crossBuilds.set(target, { skip: message });
    } else crossBuilds.set(target, { error: error as Error });
  }
}
if (!hasFile) console.warn("skip cross builds: `file` is not installed (apt-get install file)");

describe(`cross builds (${cross.join(", ") || "none"}; TP_BUILD_CROSS)`, () => {
  for (const [target, built] of crossBuilds) {
    test.skipIf(built.skip !== undefined)(target, async () => {
      if (built.error) throw built.error;
      const out = built.out as BuildOutput;
      for (const file of out.files) {
        expect({ file, kind: await fileKind(join(out.outdir, file)) }).toEqual({
          file,
          kind: expect.stringMatching(FILE_KIND[target]),
        });
      }
      expect(out.names).toBe(target.startsWith("windows") ? "copy" : "hardlink");
      rmSync(out.outdir, { recursive: true, force: true });
    });
  }
});

test("release of this system: an archive whose SHA256SUMS check, with runnable programs", async () => {
  const outdir = join(work, "dist");
  const [archive] = await release({ targets: [nativeTarget()], outdir });
  expect(archive).toMatch(new RegExp(`^tp-net-.*-${nativeTarget()}\\.tar\\.gz$`));
  const sums = await runCommand(["sha256sum", "-c", "SHA256SUMS"], { cwd: outdir });
  expect(sums.stdout).toContain(`${archive}: OK`);
  const unpacked = join(work, "unpacked");
  expect((await runCommand(["mkdir", "-p", unpacked])).code).toBe(0);
  expect(
    (await runCommand(["tar", "-xzf", join(outdir, archive as string), "-C", unpacked])).code,
  ).toBe(0);
  const dir = join(unpacked, (archive as string).replace(/\.tar\.gz$/, ""));
  const check = await runCommand(["sha256sum", "-c", "SHA256SUMS"], { cwd: dir });
  expect(check.code).toBe(0);
  expect(check.stdout.match(/: OK$/gm)).toHaveLength(2 + PROGRAMS.length);
  expect(check.stdout).toContain("README.md: OK");
  // tar kept the hard links: the archive carries one runtime.
  const inode = statSync(join(dir, "tp-net")).ino;
  for (const p of PROGRAMS) expect(statSync(join(dir, p)).ino).toBe(inode);
  const help = await runCommand([join(dir, "tp-guess"), "--help"]);
  expect(help.stdout).toMatch(/\nUsage: tp-guess/);
}, 120_000);
