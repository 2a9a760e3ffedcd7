#!/bin/sh
# Run one tp-scan as N shards side by side with GNU parallel, then merge the parts
# (docs/scale.md). Local job slots here; the same command with --sshlogin runs them elsewhere.
#   usage: shards.sh N DIR TP-SCAN-ARGS...     e.g. shards.sh 3 out 192.0.2.0/24 -p-
#   TP_SCAN: the tp-scan to run (default: tp-scan on PATH); SEED: the seed (default: random)
set -eu
n=$1
dir=$2
shift 2
tp=${TP_SCAN:-tp-scan}
# Every shard must walk the same seeded order, or the parts would overlap and leave gaps.
seed=${SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
mkdir -p "$dir"
parallel --halt now,fail=1 -j "$n" \
  "$tp $* --seed $seed --shard {}/$n --jsonl > $dir/part-{}.jsonl" ::: $(seq 1 "$n")
"$tp" merge "$dir"/part-*.jsonl -oA "$dir/all" > /dev/null
echo "$dir/all.{nmap,gnmap,xml,json,jsonl}: $n shards merged (seed $seed)"
