// The README and docs as a reader follows them: every relative link leads to a file of the
// repository, and the README's table of bench targets is the bench's own table.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { SECTIONS } from "../../bench/run.ts";
import { ROOT } from "../../scripts/lib/root.ts";

const pages = [
  "README.md",
  "bench/README.md",
  "scripts/lib/README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

/** Relative link targets of a Markdown page (no URLs, no in-page anchors), without #anchors. */
function relativeLinks(text: string): string[] {
  const links: string[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = (m[1] as string).split("#")[0] as string;
    if (target === "" || /^[a-z]+:/i.test(target)) continue;
    links.push(target);
  }
  return links;
}

describe("links", () => {
  test.each(pages)("%s: every relative link exists", (page) => {
    const text = readFileSync(join(ROOT, page), "utf8");
    const missing = relativeLinks(text).filter((l) => !existsSync(join(ROOT, dirname(page), l)));
    expect(missing).toEqual([]);
  });
  test("the README links nothing outside the repository", () => {
    const text = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(relativeLinks(text).filter((l) => l.startsWith(".."))).toEqual([]);
  });
});

describe("bench/README.md targets", () => {
  test("the table lists exactly the bench's targets, as the bench states them", () => {
    const readme = readFileSync(join(ROOT, "bench", "README.md"), "utf8");
    const block = /<!-- bench-targets:start -->\n([\s\S]*?)<!-- bench-targets:end -->/.exec(readme);
    expect(block).not.toBeNull();
    const rows = (block?.[1] ?? "")
      .trim()
      .split("\n")
      .slice(2) // header and rule
      .map((line) =>
        line
          .split("|")
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    const targets = SECTIONS.flatMap((s) => s.targets.map((t) => [t.name, t.wanted]));
    expect(rows).toEqual(targets);
  });
});
