// The layout docs/architecture.md states is the code's: no import circle between files, no
// import running back up a floor, and the counts of its architecture:counts block as computed.
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BEGIN, countsBlock, END, layout } from "../../scripts/architecture.ts";
import { ROOT } from "../../scripts/lib/root.ts";

const current = layout();

test("no import circle between files of src/", () => {
  expect(current.circles).toEqual([]);
});

test("no import runs back up a floor", () => {
  expect(current.upward).toEqual([]);
});

test("docs/architecture.md states the counts the script computes", async () => {
  const doc = await Bun.file(join(ROOT, "docs/architecture.md")).text();
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  expect(a).toBeGreaterThan(-1);
  expect(b).toBeGreaterThan(a);
  expect(doc.slice(a + BEGIN.length, b).trim()).toBe(countsBlock(current));
});

test("the script sees a circle, an upward import and every folder in a tree made for it", () => {
  const root = mkdtempSync(join(tmpdir(), "tp-arch-"));
  const put = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  try {
    put("src/scan/sys/a.ts", 'import { b } from "../engine/b.ts";\nexport const a = b;\n');
    put("src/scan/engine/b.ts", 'import type { A } from "../sys/a.ts";\nexport const b = 1;\n');
    put("src/shared/c.ts", "export const c = 1;\n");
    const l = layout(root);
    expect(l.circles).toEqual([["src/scan/engine/b.ts", "src/scan/sys/a.ts"]]);
    expect(l.upward).toEqual(["src/scan/sys/a.ts -> src/scan/engine/b.ts"]);
    expect(Object.fromEntries(l.files)).toEqual({
      scan: 2,
      "scan/engine": 1,
      "scan/sys": 1,
      shared: 1,
    });
    expect(l.edges.get("scan/sys -> scan/engine")).toBe(1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
