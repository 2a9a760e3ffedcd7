// The library as users get it: the packed tarball installed into an empty project, then each
// example of docs/library.md run there (and the compiled-executable one compiled), the API's
// events compared with the installed tp-scan's --jsonl on the same scan, its types checked
// by tsc, and Node.js told in one line that Bun is required.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../../scripts/lib/root.ts";
import { runCommand } from "../../scripts/lib/run.ts";
import { knownPorts } from "../helpers/loopback-ports.ts";
import { comparable, parseJsonl } from "./events.ts";
import { extractExamples } from "./examples.ts";

const hasNpm = Bun.which("npm") !== null;
const hasNode = Bun.which("node") !== null;
if (!hasNpm) console.warn("skip library package tests: npm is not installed");
const work = mkdtempSync(join(tmpdir(), "tp-library3-pkg-"));
const project = join(work, "project");
afterAll(() => rmSync(work, { recursive: true, force: true }));

const examples = extractExamples(await Bun.file(join(ROOT, "docs", "library.md")).text());

beforeAll(async () => {
  if (!hasNpm) return;
  const packed = await runCommand(["npm", "pack", "--json", "--pack-destination", work], {
    timeoutMs: 60_000,
  });
  expect(packed.code).toBe(0);
  const tarball = join(work, (JSON.parse(packed.stdout) as [{ filename: string }])[0].filename);
  await Bun.write(join(project, "package.json"), '{ "name": "user-app", "private": true }\n');
  const add = await runCommand(["bun", "add", tarball], { cwd: project, timeoutMs: 120_000 });
  expect(add.code).toBe(0);
}, 180_000);

test("docs/library.md has examples, each with what it prints", () => {
  expect(examples.length).toBeGreaterThanOrEqual(6);
});

test.skipIf(!hasNpm)(
  "each example of docs/library.md runs in the project and prints what it says",
  async () => {
    for (const [i, example] of examples.entries()) {
      const file = join(project, `example-${i}.ts`);
      await Bun.write(file, example.code);
      const run = await runCommand(["bun", file], { cwd: project, timeoutMs: 60_000 });
      const where = `docs/library.md:${example.line}`;
      expect({ where, stderr: run.stderr, code: run.code }).toEqual({ where, stderr: "", code: 0 });
      expect({ where, stdout: run.stdout }).toMatchObject({
        stdout: expect.stringMatching(example.expect),
      });
    }
  },
  300_000,
);

test.skipIf(!hasNpm)(
  "the compiled-executable example, compiled with the Workers' script, scans with Workers",
  async () => {
    const example = examples.find((e) => e.code.includes("setWorkerEntry"));
    if (!example) throw new Error("no compiled-executable example");
    await Bun.write(join(project, "app.ts"), example.code);
    const worker = "node_modules/tp-net/src/bin/scan-worker.ts";
    const build = await runCommand(
      ["bun", "build", "--compile", "app.ts", worker, "--outfile", "app"],
      { cwd: project, timeoutMs: 120_000 },
    );
    expect(build.code).toBe(0);
    const run = await runCommand([join(project, "app")], { cwd: work, timeoutMs: 60_000 });
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(example.expect);
  },
  180_000,
);

test.skipIf(!hasNpm)(
  "the installed API yields the lines the installed tp-scan --jsonl prints",
  async () => {
    const ports = await knownPorts(3, 4);
    try {
      await Bun.write(
        join(project, "events.ts"),
        `import { scan } from "tp-net";
for await (const event of scan({ targets: "127.0.0.1", ports: "${ports.spec}", seed: 9, show: "closed" }))
  console.log(JSON.stringify(event));
`,
      );
      const api = await runCommand(["bun", "events.ts"], { cwd: project });
      const bin = join(project, "node_modules", ".bin", "tp-scan");
      const flags = ["-p", ports.spec, "--seed", "9", "--show", "closed", "--jsonl"];
      const cli = await runCommand([bin, "127.0.0.1", ...flags], { cwd: project });
      expect([api.code, cli.code]).toEqual([0, 0]);
      const lines = parseJsonl(api.stdout);
      expect(lines.filter((l) => l.type === "port" && l.state === "open").length).toBe(3);
      expect(comparable(lines)).toEqual(comparable(parseJsonl(cli.stdout)));
    } finally {
      ports.stop();
    }
  },
  60_000,
);

test.skipIf(!hasNpm)(
  "the shipped types check a user's program (tsc, strict) and reject a misspelt option",
  async () => {
    const tsc = join(ROOT, "node_modules", ".bin", "tsc");
    // As `bun init` writes it (lib ESNext: the DOM's Worker type has no unref()).
    const config = {
      compilerOptions: {
        lib: ["ESNext"],
        target: "ESNext",
        module: "Preserve",
        moduleResolution: "bundler",
        types: ["bun-types"],
        typeRoots: [join(ROOT, "node_modules")],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        allowImportingTsExtensions: true,
      },
      include: ["example-*.ts", "typo.ts"],
    };
    await Bun.write(join(project, "tsconfig.json"), JSON.stringify(config));
    for (const [i, example] of examples.entries())
      await Bun.write(join(project, `example-${i}.ts`), example.code);
    await Bun.write(join(project, "typo.ts"), "");
    const clean = await runCommand([tsc, "-p", "."], { cwd: project, timeoutMs: 120_000 });
    expect(clean.stdout).toBe("");
    expect(clean.code).toBe(0);
    await Bun.write(
      join(project, "typo.ts"),
      'import { scan } from "tp-net";\nscan({ targets: "127.0.0.1", skipDiscover: true });\n',
    );
    const typo = await runCommand([tsc, "-p", "."], { cwd: project, timeoutMs: 120_000 });
    expect(typo.stdout).toContain("'skipDiscover' does not exist");
  },
  240_000,
);

test.skipIf(!hasNpm || !hasNode)("Node.js: one line saying Bun is required", async () => {
  const run = await runCommand(["node", "--input-type=module", "-e", 'import "tp-net";'], {
    cwd: project,
  });
  expect(run.code).not.toBe(0);
  expect(run.stderr).toContain(
    "tp-net: the scan library needs Bun >= 1.4.5 (its engine uses bun:ffi); run this program with bun",
  );
});
