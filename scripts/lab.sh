#!/usr/bin/env bash
# tp-scan's test lab: a private network namespace with its own loopback, optional iptables
# rules dropping SYNs to port ranges (a firewalled host), and listeners inside it. Everything
# the scanner sends stays on that namespace's loopback. Needs root, iproute2 and iptables.
#
#   scripts/lab.sh check                      exit 0 if a lab can be built here, else say why
#   scripts/lab.sh up NAME [--no-lo] [--drop A:B]...
#                                             create namespace NAME (lo up unless --no-lo: a
#                                             host with no network), SYNs to A..B dropped
#   scripts/lab.sh down NAME                  kill what runs inside NAME and delete it
#   scripts/lab.sh gc                         delete labs left by processes that no longer exist
#   scripts/lab.sh run [--drop A:B]... [--listen [HOST/]PORTS]... -- CMD [ARG...]
#        one-shot: build a lab named tplab-<pid>-<n>, start listeners on PORTS (22,80,9000-9010)
#        of HOST (default 127.0.0.1; e.g. ::1/22) inside it (scripts/listeners.ts), run CMD
#        inside it, tear everything down (even on Ctrl-C) and exit with CMD's status.
# Names made by this script are tplab-<owner pid>-<suffix>, so parallel runs never collide.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

die() { echo "lab: $*" >&2; exit 1; }

check() {
  [ "$(uname -s)" = Linux ] || { echo "lab: needs Linux network namespaces"; return 1; }
  [ "$(id -u)" = 0 ] || { echo "lab: needs root (ip netns, iptables)"; return 1; }
  command -v ip >/dev/null || { echo "lab: 'ip' (iproute2) not installed"; return 1; }
  command -v iptables >/dev/null || { echo "lab: 'iptables' not installed"; return 1; }
  local probe="tplab-$$-check"
  ip netns add "$probe" 2>/dev/null || { echo "lab: cannot create a network namespace"; return 1; }
  local ok=0
  ip netns exec "$probe" iptables -A INPUT -p tcp --syn --dport 9:9 -j DROP 2>/dev/null || ok=1
  ip netns del "$probe" 2>/dev/null || true
  [ "$ok" = 0 ] || { echo "lab: iptables does not work inside a namespace"; return 1; }
}

up() {
  local name="$1"; shift
  ip netns add "$name"
  if [ "${1:-}" = --no-lo ]; then shift; else ip -n "$name" link set lo up; fi
  while [ $# -gt 0 ]; do
    case "$1" in
      --drop)
        [ $# -ge 2 ] || die "--drop needs A:B"
        [[ "$2" =~ ^[0-9]+(:[0-9]+)?$ ]] || die "bad range '$2' (want A:B)"
        # SYN only: the replies to the scanner's own ephemeral ports must still get through.
        ip netns exec "$name" iptables -A INPUT -p tcp --syn --dport "$2" -j DROP
        if command -v ip6tables >/dev/null; then
          ip netns exec "$name" ip6tables -A INPUT -p tcp --syn --dport "$2" -j DROP 2>/dev/null || true
        fi
        shift 2 ;;
      *) die "up: unknown option '$1'" ;;
    esac
  done
}

down() {
  local name="$1"
  ip netns list 2>/dev/null | grep -qw -- "$name" || return 0
  local pids
  pids="$(ip netns pids "$name" 2>/dev/null || true)"
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    sleep 0.2
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
  fi
  ip netns del "$name" 2>/dev/null || true
}

gc() {
  local name pid
  for name in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^tplab-' || true); do
    pid="$(cut -d- -f2 <<<"$name")"
    if [[ "$pid" =~ ^[0-9]+$ ]] && ! kill -0 "$pid" 2>/dev/null; then down "$name"; fi
  done
}

run() {
  local drops=() listens=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --drop) drops+=(--drop "$2"); shift 2 ;;
      --listen) listens+=("$2"); shift 2 ;;
      --) shift; break ;;
      *) die "run: unknown option '$1' (missing '--' before the command?)" ;;
    esac
  done
  [ $# -gt 0 ] || die "run: no command"
  local name="tplab-$$-$RANDOM"
  trap 'down "$name"' EXIT
  trap 'exit 130' INT TERM
  up "$name" "${drops[@]}"
  local spec fifo host ports
  for spec in "${listens[@]}"; do
    host=127.0.0.1 ports="$spec"
    if [[ "$spec" == */* ]]; then host="${spec%/*}" ports="${spec##*/}"; fi
    fifo="$(mktemp -u)"
    mkfifo "$fifo"
    ip netns exec "$name" bun "$here/listeners.ts" --host "$host" --ports "$ports" >"$fifo" </dev/null &
    read -r line <"$fifo" || die "listeners on $spec did not start"
    rm -f "$fifo"
    [[ "$line" == ready* ]] || die "listeners on $spec: $line"
  done
  local status=0
  ip netns exec "$name" "$@" || status=$?
  exit "$status"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  check) check ;;
  up) [ $# -ge 1 ] || die "up NAME"; up "$@" ;;
  down) [ $# -ge 1 ] || die "down NAME"; down "$1" ;;
  gc) gc ;;
  run) run "$@" ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; [ -z "$cmd" ] || exit 2 ;;
esac
