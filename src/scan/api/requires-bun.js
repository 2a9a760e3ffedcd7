// What `import "tp-net"` gives outside Bun (Node.js): one line saying why. The engine calls libc
// through bun:ffi (socket, connect, epoll: src/scan/engine/engine.ts says why not node:net).
throw new Error(
  "tp-net: the scan library needs Bun >= 1.4.5 (its engine uses bun:ffi); run this program with bun",
);
