#!/usr/bin/env bun
// tp-scan: massively parallel TCP connect scanner (its scan Workers start from scan-worker.ts).
// Run from source (`bun add -g`, `bunx`); the compiled tp-net picks it by name.
import { enter } from "./entry.ts";

await enter("tp-scan", import.meta.url);
