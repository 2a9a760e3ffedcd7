// `--engine auto|linux|portable`: which readiness primitive the probe Workers use (see
// readiness.ts). The Linux engine cannot run elsewhere, so asking for it there is an error.
import { UsageError } from "../../shared/errors.ts";
import { ENGINE_NAMES, type EngineChoice, type EngineName, resolveEngine } from "./readiness.ts";

export const ENGINE_FLAG = {
  type: "string",
  default: "auto",
  valueHint: ENGINE_NAMES.join("|"),
  description: "Engine: linux (epoll), portable (poll), or auto (linux on Linux, else portable)",
} as const;

export function parseEngine(text: string | undefined, platform = process.platform): EngineName {
  const choice = (text ?? "auto").trim().toLowerCase();
  if (!(ENGINE_NAMES as readonly string[]).includes(choice))
    throw new UsageError(`--engine expects auto, linux or portable, got '${text}'`);
  const engine = resolveEngine(choice as EngineChoice, platform);
  if (engine === "linux" && platform !== "linux")
    throw new UsageError(`--engine linux needs Linux (epoll); use --engine portable`);
  return engine;
}
