// src/shared/platform.ts: per-system answers (pure), and a real stop signal to this process.
import { expect, test } from "bun:test";
import {
  executableName,
  nativeScanEngine,
  signalExitCode,
  stopSignals,
  untilStopSignal,
} from "../../src/shared/platform.ts";

test("Windows stops on Ctrl-C, Ctrl-Break and a closed console, never on SIGTERM", () => {
  expect(stopSignals("win32")).toEqual(["SIGINT", "SIGBREAK", "SIGHUP"]);
  for (const p of ["linux", "darwin", "freebsd"] as const) {
    expect(stopSignals(p)).toEqual(["SIGINT", "SIGTERM", "SIGHUP"]);
  }
});

test("exit codes after a signal, executable names, engines per system", () => {
  expect(signalExitCode("SIGINT")).toBe(130);
  expect(signalExitCode("SIGTERM")).toBe(143);
  expect(executableName("tp-scan", "win32")).toBe("tp-scan.exe");
  expect(executableName("tp-scan", "darwin")).toBe("tp-scan");
  expect(nativeScanEngine("linux")).toBe("epoll");
  expect(nativeScanEngine("darwin")).toBeNull();
  expect(nativeScanEngine("win32")).toBeNull();
});

test.skipIf(process.platform === "win32")(
  "untilStopSignal resolves on SIGHUP and leaves no listener behind",
  async () => {
    const before = process.listenerCount("SIGHUP");
    const beforeTerm = process.listenerCount("SIGTERM");
    const stopped = untilStopSignal();
    expect(process.listenerCount("SIGHUP")).toBe(before + 1);
    process.kill(process.pid, "SIGHUP");
    expect(await stopped).toBe("SIGHUP");
    expect(process.listenerCount("SIGHUP")).toBe(before);
    expect(process.listenerCount("SIGTERM")).toBe(beforeTerm);
  },
);
