// The progress line on stderr (only when stderr is a terminal): probes settled out of the
// whole work space, rate and time left.

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  return seconds < 60
    ? `${Math.ceil(seconds)} s`
    : `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
}

/** A progress line on stderr, only when stderr is a terminal. */
export function progressPrinter(label: string): {
  update: (done: number, total: number) => void;
  clear: () => void;
} {
  if (!process.stderr.isTTY) return { update: () => {}, clear: () => {} };
  const started = performance.now();
  let shown = false;
  return {
    update(done, total) {
      const elapsed = (performance.now() - started) / 1000;
      const rate = elapsed > 0 ? done / elapsed : 0;
      const eta = rate > 0 ? formatEta((total - done) / rate) : "?";
      const pct = total > 0 ? Math.floor((done * 100) / total) : 100;
      process.stderr.write(
        `\r\u001b[K${label}: ${done}/${total} ports (${pct}%), ${Math.round(rate).toLocaleString("en-US")} ports/s, ETA ${eta}`,
      );
      shown = true;
    },
    clear() {
      if (shown) process.stderr.write("\r\u001b[K");
    },
  };
}
