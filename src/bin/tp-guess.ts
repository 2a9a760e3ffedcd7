#!/usr/bin/env bun
// tp-guess: the lab's guessing game: `server`, a `bot` that plays it alone, `play` for a person.
// Run from source (`bun add -g`, `bunx`); the compiled tp-net picks it by name.
import { enter } from "./entry.ts";

await enter("tp-guess", import.meta.url);
