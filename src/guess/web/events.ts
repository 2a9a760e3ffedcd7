// The scoreboard's event stream, one per open page, each holding at most the latest state.
// A page that does not read gets no backlog: while its stream is full (Bun stops pulling once
// the socket does not drain; desiredSize 0), a change only marks it stale, and the stream's
// next pull sends the state of that moment. Before this, every change was queued for every
// page: 20 non-reading pages and 300 games at max 10^1000 took the server from 44 MB to 665 MB
// in 15 s (issue 23: 2.35 GB in 38 s with 500 games), growing all along.

/** A viewer stuck this long (its stream full all along) is closed: its slot and descriptor go. */
export const STALLED_VIEWER_MS = 60_000;

interface Viewer {
  controller: ReadableStreamDefaultController<Uint8Array>;
  /** A change came while the stream was full: send the state at the next pull. */
  stale: boolean;
  /** performance.now() since when the stream has been full; 0 while it takes data. */
  fullSince: number;
}

const encoder = new TextEncoder();

export class EventStreams {
  private readonly viewers = new Set<Viewer>();

  constructor(
    /** The state to send, as one SSE event (computed when needed, never queued). */
    private readonly snapshot: () => string,
  ) {}

  get size(): number {
    return this.viewers.size;
  }

  /** A new stream: `retry`, then the state now, then the latest state after each change. */
  open(): ReadableStream<Uint8Array> {
    let viewer: Viewer | undefined;
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          viewer = { controller, stale: false, fullSince: 0 };
          this.viewers.add(viewer);
          controller.enqueue(encoder.encode(`retry: 1000\n${this.event()}`));
        },
        pull: () => {
          if (!viewer) return;
          viewer.fullSince = 0;
          if (viewer.stale) this.send(viewer, encoder.encode(this.event()));
        },
        cancel: () => {
          if (viewer) this.viewers.delete(viewer);
        },
      },
      // One chunk in flight per page: past it the page is "full" and only marked stale.
      { highWaterMark: 1 },
    );
  }

  private event(): string {
    return `data: ${this.snapshot()}\n\n`;
  }

  private send(v: Viewer, bytes: Uint8Array): void {
    v.stale = false;
    try {
      v.controller.enqueue(bytes);
    } catch {
      this.viewers.delete(v); // the page went away
    }
  }

  /** The state changed: pages with room get it now (one encoding for all), others are marked. */
  pushAll(now: number): void {
    let bytes: Uint8Array | undefined;
    for (const v of this.viewers) {
      if ((v.controller.desiredSize ?? 0) > 0) {
        v.fullSince = 0;
        bytes ??= encoder.encode(this.event());
        this.send(v, bytes);
      } else {
        v.stale = true;
        if (v.fullSince === 0) v.fullSince = now;
      }
    }
  }

  /** A comment line to pages with room (keeps proxies from closing); drop the stalled ones. */
  heartbeat(now: number): void {
    const ping = encoder.encode(": ping\n\n");
    for (const v of this.viewers) {
      if ((v.controller.desiredSize ?? 0) > 0) {
        if (!v.stale) this.send(v, ping);
        continue;
      }
      if (v.fullSince === 0) v.fullSince = now;
      else if (now - v.fullSince >= STALLED_VIEWER_MS) this.drop(v);
    }
  }

  private drop(v: Viewer): void {
    this.viewers.delete(v);
    try {
      v.controller.error(new Error("viewer stalled"));
    } catch {}
  }

  closeAll(): void {
    for (const v of this.viewers) {
      try {
        v.controller.close();
      } catch {}
    }
    this.viewers.clear();
  }
}
