// The bench's peer for tp-echo: the same lab dialogue on Node.js `node:net`, written the way a
// competent Node programmer would (byte-level line framing, one write per answer). Run under node:
//   node bench/peers/echo-node.mjs --host 127.0.0.1 --port 2003
// Logs "listening on HOST:PORT" on stderr when ready, like tp-echo.
import net from "node:net";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "2003" },
  },
  strict: true,
});
const host = values.host;
const port = Number(values.port);
const MAX_LINE = 64 * 1024;

const PROMPT = Buffer.from("Votre message ?\n");
const ECHO = Buffer.from("ECHO : ");
const BYE = Buffer.from("Good Bye.");
const LINE_TOO_LONG = Buffer.from("Erreur : ligne trop longue.\n");

/** FIN in any case, surrounding blanks ignored, or a blank line ends the dialogue. */
function isEnd(line) {
  const text = line.toString("utf8").trim();
  return text === "" || text.toUpperCase() === "FIN";
}

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.write(`Vous êtes connecté au serveur ${host}:${port}.\n`);
  socket.write(PROMPT);
  let pending = null;
  socket.on("data", (chunk) => {
    let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = null;
    const out = [];
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      const line = buf.subarray(start, nl + 1);
      start = nl + 1;
      if (isEnd(line)) {
        if (out.length) socket.write(Buffer.concat(out));
        socket.end(BYE);
        return;
      }
      out.push(ECHO, line, PROMPT);
    }
    if (out.length) socket.write(Buffer.concat(out));
    if (start < buf.length) {
      buf = buf.subarray(start);
      if (buf.length > MAX_LINE) {
        socket.end(LINE_TOO_LONG);
        return;
      }
      pending = Buffer.from(buf);
    }
  });
  socket.on("error", () => socket.destroy());
});

server.maxConnections = 100_000;
server.listen({ host, port, backlog: 4096 }, () => {
  process.stderr.write(`listening on ${host}:${port}\n`);
});
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    server.close();
    process.exit(0);
  });
}
