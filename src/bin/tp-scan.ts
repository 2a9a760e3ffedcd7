#!/usr/bin/env bun
// tp-scan: massively parallel TCP connect scanner; also the entry point of its scan Workers.
// Run from source (`bun add -g`, `bunx`); the compiled tp-net picks it by name.
import { enter } from "./entry.ts";

await enter("tp-scan", import.meta.url);
