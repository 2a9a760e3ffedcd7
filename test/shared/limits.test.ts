import { expect, test } from "bun:test";
import type { Socket } from "bun";
import { BoundedWriter } from "../../src/shared/limits.ts";

/** A socket whose kernel buffer takes `room` bytes, then nothing until we grant more. */
class FakeSocket {
  room = 0;
  written: number[] = [];
  paused = false;
  ended = false;
  write(bytes: Uint8Array): number {
    const n = Math.min(this.room, bytes.length);
    this.room -= n;
    this.written.push(...bytes.subarray(0, n));
    return n;
  }
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
  end() {
    this.ended = true;
  }
}

const make = (cap: number) => {
  const fake = new FakeSocket();
  return { fake, writer: new BoundedWriter(fake as unknown as Socket<unknown>, cap) };
};

test("what the kernel refuses is queued, then sent in order on drain", () => {
  const { fake, writer } = make(100);
  fake.room = 3;
  writer.write(new Uint8Array([1, 2, 3, 4, 5]));
  writer.write(new Uint8Array([6, 7]));
  expect(writer.pending).toBe(4);
  fake.room = 10;
  writer.drain();
  expect(fake.written).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(writer.pending).toBe(0);
});

test("past the cap the socket stops being read; half drained, it reads again", () => {
  const { fake, writer } = make(10);
  writer.write(new Uint8Array(8));
  expect(fake.paused).toBe(false);
  writer.write(new Uint8Array(8));
  expect(fake.paused).toBe(true);
  expect(writer.isPaused).toBe(true);
  fake.room = 6;
  writer.drain();
  expect(writer.pending).toBe(10);
  expect(fake.paused).toBe(true);
  fake.room = 5;
  writer.drain();
  expect(writer.pending).toBe(5);
  expect(fake.paused).toBe(false);
});

test("end waits for the queue to flush before closing the write side", () => {
  const { fake, writer } = make(100);
  writer.end(new Uint8Array([9, 9]));
  expect(fake.ended).toBe(false);
  writer.write(new Uint8Array([1]));
  fake.room = 2;
  writer.drain();
  expect(fake.ended).toBe(true);
  expect(fake.written).toEqual([9, 9]);
});
