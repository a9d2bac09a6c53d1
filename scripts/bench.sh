#!/usr/bin/env bash
# Side-by-side benchmark of gokeepalived against keepalived (issue 9):
# failover as a client sees it, footprint, timer accuracy. Needs root and
# keepalived (Debian package); everything runs in throw-away network
# namespaces named gk*, removed on every exit.
#
#   bash scripts/bench.sh            # full run, < 30 min, tables to stdout and bench-results.md
#   bash scripts/bench.sh --quick    # one setting, one repetition, < 2 min
#   bash scripts/bench.sh --out FILE # any other flag goes to the benchmark (see -h);
#                                      --parts fpts: failover, footprint+memory, timer, scale (1,000 on 4 interfaces)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	echo "bench.sh: needs root (network namespaces)" >&2
	exit 2
fi
tmp=$(mktemp -d /tmp/gkbench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/gokeepalived" ./cmd/gokeepalived
go build -o "$tmp/failover" ./bench/failover
# exec would drop the trap; the benchmark handles SIGINT/SIGTERM itself.
"$tmp/failover" --gk "$tmp/gokeepalived" "$@"
