// --shard, --resume and merge as a user runs them (the compiled ./tp-scan on 127.0.0.x): what
// each output says of hosts a part did not scan, of hosts a resumption found done, and of input
// files that are not there (issue 19, items 2, 3, 5 and 9).
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TCPSocketListener } from "bun";
import { freePort } from "../../scripts/lib/net.ts";
import { runExe } from "../helpers/exe.ts";

setDefaultTimeout(60_000);

let dir = "";
let port = 0;
const listeners: TCPSocketListener[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), `tp-shard-resume-${process.pid}-`));
  port = await freePort();
  listeners.push(Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } }));
});
afterAll(() => {
  for (const l of listeners) l.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

test("a --resume or merge file that is not there is a usage error (exit 2), as for -iL", async () => {
  const missing = join(dir, "absent.jsonl");
  const resume = await runExe("tp-scan", ["127.0.0.1", "-p", "1", "--resume", missing]);
  expect(resume.code).toBe(2);
  expect(resume.stderr).toBe(
    `tp-scan: error: --resume: cannot read '${missing}' (ENOENT) (see 'tp-scan --help')\n`,
  );
  const merge = await runExe("tp-scan", ["merge", missing]);
  expect(merge.code).toBe(2);
  expect(merge.stderr).toBe(
    `tp-scan: error: merge: cannot read '${missing}' (ENOENT) (see 'tp-scan merge --help')\n`,
  );
  const list = await runExe("tp-scan", ["127.0.0.1", "-iL", missing]);
  expect(list.code).toBe(2);
});

test("--shard 1/100000000 scans its part; past the bound the error states the bound", async () => {
  const first = await runExe("tp-scan", [
    "127.0.0.1",
    "-p",
    String(port),
    "--shard",
    "1/100000000",
  ]);
  expect(first.code).toBe(0);
  expect(first.stdout).toContain(`${port}/tcp`);
  const over = await runExe("tp-scan", ["127.0.0.1", "--shard", "1/4294967297"]);
  expect(over.code).toBe(2);
  expect(over.stderr).toStartWith(
    "tp-scan: error: --shard expects I/N with 1 <= I <= N <= 4294967296 (e.g. 2/3), got '1/4294967297'",
  );
});

test("merge -oG / -oN / -oX name the merge's own command line, not the first part's", async () => {
  const parts = [1, 2].map((i) => join(dir, `cmd-${i}.jsonl`));
  for (const [i, file] of parts.entries()) {
    const args = ["127.0.0.1", "-p", `1-20,${port}`, "--seed", "7", "--shard", `${i + 1}/2`];
    const run = await runExe("tp-scan", [...args, "--jsonl"]);
    expect(run.code).toBe(0);
    await Bun.write(file, run.stdout);
  }
  const xml = join(dir, "cmd.xml");
  const merged = await runExe("tp-scan", ["merge", ...parts, "-oG", "-", "-oX", xml]);
  expect(merged.code).toBe(0);
  const header = merged.stdout.split("\n")[0];
  expect(header).toMatch(/^# tp-scan \S+ scan initiated .* as: /);
  expect(header).toEndWith(` as: tp-scan merge ${parts.join(" ")} -oG - -oX ${xml}`);
  expect(await Bun.file(xml).text()).toContain(
    `args="tp-scan merge ${parts.join(" ")} -oG - -oX ${xml}"`,
  );
});
