#!/usr/bin/env bun
// tp-echo: the lab's echo server (default) and its client (`tp-echo client HOST [PORT]`).
// Run from source (`bun add -g`, `bunx`); the compiled tp-net picks it by name.
import { enter } from "./entry.ts";

await enter("tp-echo", import.meta.url);
