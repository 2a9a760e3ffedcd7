// The runnable examples of docs/library.md: each ```ts block, with the `<!-- expect: REGEX -->`
// comment just above it saying what it prints.

export interface Example {
  /** 1-based line of the block's opening fence. */
  line: number;
  code: string;
  expect: RegExp;
}

const BLOCK = /(?:<!-- expect: (.+) -->\n)?```ts\n([\s\S]*?)```/g;

export function extractExamples(markdown: string): Example[] {
  return [...markdown.matchAll(BLOCK)].map((m) => {
    const line = markdown.slice(0, m.index).split("\n").length + (m[1] ? 1 : 0);
    if (!m[1]) throw new Error(`docs/library.md:${line}: a ts block without <!-- expect: -->`);
    return { line, code: m[2] as string, expect: new RegExp(m[1]) };
  });
}
