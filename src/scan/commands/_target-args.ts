// The target and port-selection flags of `tp-scan`, nmap's names: spread `targetArgs` into the
// command's args; ../targets/settings.ts turns the parsed args into settings and hosts.
import type { ArgsDef } from "citty";
import { MAX_TARGETS_WITHOUT_FLAG } from "../targets/expand.ts";
export const targetArgs = {
  "input-list": {
    type: "string",
    alias: "iL",
    description: "Read targets from FILE (blanks or lines, # comments; - for stdin)",
    valueHint: "FILE",
  },
  exclude: {
    type: "string",
    description: "Leave out these targets: a comma list of names, addresses, ranges, CIDR blocks",
    valueHint: "LIST",
  },
  "exclude-file": {
    type: "string",
    description: "Leave out the targets listed in FILE (as -iL reads it)",
    valueHint: "FILE",
  },
  "allow-many": {
    type: "boolean",
    description: `Allow more than ${MAX_TARGETS_WITHOUT_FLAG} target addresses (a guard against typos)`,
  },
  "top-ports": {
    type: "string",
    description: "Scan the N ports most often found open (nmap's ranking), within -p if given",
    valueHint: "N",
  },
  fast: { type: "boolean", alias: "F", description: "Fast: the 100 ports most often found open" },
  "exclude-ports": {
    type: "string",
    description: "Never probe these ports (same syntax as -p)",
    valueHint: "PORTS",
  },
} as const satisfies ArgsDef;
