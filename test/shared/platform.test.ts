// src/shared/platform.ts: which signals stop a server on each system (the servers listen to
// exactly these: test/echo/server.hardening.test.ts sends SIGHUP to the compiled program).
import { expect, test } from "bun:test";
import { stopSignals } from "../../src/shared/platform.ts";

test("Windows stops on Ctrl-C, Ctrl-Break and a closed console, never on SIGTERM", () => {
  expect(stopSignals("win32")).toEqual(["SIGINT", "SIGBREAK", "SIGHUP"]);
  for (const p of ["linux", "darwin", "freebsd"] as const) {
    expect(stopSignals(p)).toEqual(["SIGINT", "SIGTERM", "SIGHUP"]);
  }
});
