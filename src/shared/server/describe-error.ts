// A socket error as a real Error with a message: Bun may hand the error callback a value
// without one (a reset right after connecting), and a log line must never say "undefined".

/** `error` as an Error whose message names what happened. */
export function describeError(error: unknown): Error {
  const e = error as { code?: unknown; message?: unknown } | null | undefined;
  const code = typeof e?.code === "string" ? e.code : undefined;
  const message = typeof e?.message === "string" && e.message !== "" ? e.message : undefined;
  if (error instanceof Error && message) return error;
  const text = message ?? code ?? (error == null ? "unknown socket error" : String(error));
  const described = new Error(
    code && message && !message.includes(code) ? `${code}: ${text}` : text,
  );
  return described;
}
