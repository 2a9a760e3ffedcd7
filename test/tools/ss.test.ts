import { describe, expect, test } from "bun:test";
import { parseSsListening, splitAddrPort } from "../../scripts/lib/ss.ts";

describe("ss -ltnH", () => {
  // As this kernel prints them: `*` is a dual-stack IPv6 socket, `[::]` an IPV6_V6ONLY one.
  const ss = [
    "LISTEN 0      4096       127.0.0.53%lo:53        0.0.0.0:*",
    "LISTEN 0      128          0.0.0.0:22        0.0.0.0:*",
    "LISTEN 0      511        127.0.0.1:38111      0.0.0.0:*",
    "LISTEN 0      511        10.0.0.5:9000      0.0.0.0:*",
    "LISTEN 0      128             [::]:2222           [::]:*",
    "LISTEN 0      511                *:3000            *:*",
    "LISTEN 0      511            [::1]:5000           [::]:*",
    "LISTEN 0      511   [::ffff:127.0.0.1]:6000     *:*",
  ].join("\n");
  test("ports that accept connections on 127.0.0.1: not the IPv6-only wildcard", () => {
    expect(parseSsListening(ss)).toEqual([22, 3000, 6000, 38111]);
  });
  test("another loopback address", () => {
    expect(parseSsListening(ss, "127.0.0.53")).toEqual([22, 53, 3000]);
  });
  test("ports that accept connections on ::1", () => {
    expect(parseSsListening(ss, "::1")).toEqual([2222, 3000, 5000]);
  });
  test("lines that are not listeners are ignored", () => {
    expect(parseSsListening("State Recv-Q\nESTAB 0 0 127.0.0.1:80 127.0.0.1:5555\n")).toEqual([]);
  });
  test("splitAddrPort handles brackets, interfaces and garbage", () => {
    expect(splitAddrPort("[::1]:5000")).toEqual({ addr: "::1", port: 5000 });
    expect(splitAddrPort("127.0.0.53%lo:53")).toEqual({ addr: "127.0.0.53", port: 53 });
    expect(splitAddrPort("0.0.0.0:*")).toBeNull();
  });
});
