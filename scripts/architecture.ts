// The layout of src/ as the code has it: files per folder (src/'s rooms and src/scan's), the
// imports between folders, import circles between files, and imports that run back up the
// declared floor order. `bun scripts/architecture.ts` prints the report; `--write` puts its
// counts into docs/architecture.md (between the architecture:counts markers), which
// test/docs/architecture.test.ts keeps in step and where it fails on any circle or upward import.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ROOT } from "./lib/root.ts";

/** Floors, top to bottom: a folder imports only folders on its own floor or below. */
export const FLOORS: Record<"src" | "src/scan", string[][]> = {
  // The programs' entry points, then the three programs, then what they share.
  src: [["bin"], ["echo", "guess", "scan"], ["shared"]],
  // commands (flags), api and mcp (the library and the MCP server: the same flags and scan as
  // the command line, so one floor with it) > run (one scan) > output, history (reports; the --db record and diff, which
  // read the reports' files and are fed by the output pipeline) > engine (the loops) > model
  // (plan, results, settings, reasons), policy, transport (the types the loop decides and sends
  // with name one another both ways: settings name the timeout policy, discovery names the port
  // states) > sys (libc, sockets) > ports, targets (pure specs).
  "src/scan": [
    ["commands", "api", "mcp"],
    ["run"],
    ["output", "history"],
    ["engine"],
    ["model", "policy", "transport"],
    ["sys"],
    ["ports", "targets"],
  ],
};

export interface Layout {
  /** Files per folder: src's rooms, then src/scan's folders ("scan/engine"). */
  files: Map<string, number>;
  /** "from -> to" between folders of one level, with how many imports. */
  edges: Map<string, number>;
  circles: string[][];
  upward: string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

const IMPORT = /(?:^|\s)(?:import|export)\s[^;]*?from\s*"(\.[^"]+)"|import\(\s*"(\.[^"]+)"\s*\)/gm;

/** The relative imports of `file`, as absolute paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (spec?.endsWith(".ts")) out.push(resolve(dirname(file), spec));
  }
  return out;
}

/** The folder of a file at one level: "scan" at src's, "scan/engine" at src/scan's. */
export function folderOf(path: string, src: string): { room: string; sub: string | null } {
  const parts = relative(src, path).split("/");
  const room = parts.length > 1 ? (parts[0] as string) : ".";
  const sub = room === "scan" && parts.length > 2 ? `scan/${parts[1]}` : null;
  return { room, sub };
}

function floorOf(level: "src" | "src/scan", folder: string): number {
  const name = level === "src" ? folder : folder.replace(/^scan\//, "");
  return FLOORS[level].findIndex((floor) => floor.includes(name));
}

/** Strongly connected groups of more than one file (Tarjan), each sorted. */
function circlesOf(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1) out.push(group.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

function countEdge(edges: Map<string, number>, key: string): void {
  edges.set(key, (edges.get(key) ?? 0) + 1);
}

/** The layout of `root`/src. */
export function layout(root = ROOT): Layout {
  const src = join(root, "src");
  const files = new Map<string, number>();
  const edges = new Map<string, number>();
  const upward: string[] = [];
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(src).sort()) {
    const from = folderOf(file, src);
    countEdge(files, from.room);
    if (from.sub) countEdge(files, from.sub);
    const targets = importsOf(file);
    graph.set(
      relative(root, file),
      targets.map((t) => relative(root, t)),
    );
    for (const target of targets) {
      const to = folderOf(target, src);
      const level = from.sub && to.sub ? "src/scan" : from.room !== to.room ? "src" : null;
      if (!level) continue;
      const [a, b] =
        level === "src" ? [from.room, to.room] : [from.sub as string, to.sub as string];
      if (a === b) continue;
      countEdge(edges, `${a} -> ${b}`);
      if (floorOf(level, b) < floorOf(level, a))
        upward.push(`${relative(root, file)} -> ${relative(root, target)}`);
    }
  }
  return { files, edges, circles: circlesOf(graph), upward };
}

/** The counts docs/architecture.md states (the block between its markers). */
export function countsBlock(l: Layout): string {
  const rooms = [...l.files].filter(([k]) => !k.includes("/"));
  const scan = [...l.files].filter(([k]) => k.startsWith("scan/"));
  const between = (level: "src" | "scan") =>
    [...l.edges].filter(([k]) => (level === "scan") === k.startsWith("scan/"));
  const sum = (rows: Array<[string, number]>) => rows.reduce((n, [, v]) => n + v, 0);
  const row = ([k, v]: [string, number]) => `| ${k} | ${v} |`;
  return [
    `Files per folder of src/ (${sum(rooms)} in all):`,
    "",
    "| folder | files |",
    "| --- | --- |",
    ...rooms.map(row),
    "",
    `Files per folder of src/scan/ (${sum(scan)} in all):`,
    "",
    "| folder | files |",
    "| --- | --- |",
    ...scan.map(row),
    "",
    `Imports between src/'s folders: ${sum(between("src"))} (${between("src").length} pairs); between src/scan's: ${sum(between("scan"))} (${between("scan").length} pairs).`,
    `Imports that run back up a floor: ${l.upward.length}. Import circles between files: ${l.circles.length}.`,
  ].join("\n");
}

export const BEGIN = "<!-- architecture:counts (bun scripts/architecture.ts --write) -->";
export const END = "<!-- architecture:counts end -->";

if (import.meta.main) {
  const l = layout();
  const block = countsBlock(l);
  console.log(block, "\n\nImports between folders:");
  for (const [k, v] of [...l.edges].sort()) console.log(`  ${k}: ${v}`);
  for (const u of l.upward) console.log(`upward: ${u}`);
  for (const c of l.circles) console.log(`circle: ${c.join(" <-> ")}`);
  if (process.argv.includes("--write")) {
    const path = join(ROOT, "docs/architecture.md");
    const doc = readFileSync(path, "utf8");
    const a = doc.indexOf(BEGIN);
    const b = doc.indexOf(END);
    if (a < 0 || b < a) throw new Error(`docs/architecture.md has no ${BEGIN} ... ${END} block`);
    writeFileSync(path, `${doc.slice(0, a + BEGIN.length)}\n${block}\n${doc.slice(b)}`);
  }
}
