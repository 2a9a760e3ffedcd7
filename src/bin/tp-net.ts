#!/usr/bin/env bun
// tp-net: the one compiled executable of all three programs. Started as tp-echo, tp-guess or
// tp-scan (hard links, symlinks or copies of it) it is that program; `tp-net scan ...` works too.
import { enter } from "./entry.ts";

await enter(null, import.meta.url);
