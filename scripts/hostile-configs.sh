#!/usr/bin/env bash
# Hostile configurations and what `gokeepalived -t -f` spends on them: the
# table in docs/reliability.md. Each input is generated into a
# temporary directory and checked with /usr/bin/time -v; the table gives the
# wall and CPU (user+system) time, the peak RSS, the size of what was printed and the exit code.
#
#   bash scripts/hostile-configs.sh               # build, generate, measure, print the table
#   bash scripts/hostile-configs.sh --bin PATH    # measure that binary instead of building
#   bash scripts/hostile-configs.sh --keep DIR    # generate into DIR and keep it
#
# Nothing here needs root or touches the network: -t only reads files.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="" keep=""
while [ $# -gt 0 ]; do
	case "$1" in
	--bin) bin=$2; shift 2 ;;
	--keep) keep=$2; shift 2 ;;
	*) echo "usage: $0 [--bin PATH] [--keep DIR]" >&2; exit 2 ;;
	esac
done
if [ -n "$keep" ]; then
	dir=$keep
	mkdir -p "$dir"
else
	dir=$(mktemp -d /tmp/gkhostile.XXXXXX)
	trap 'rm -rf "$dir"' EXIT
fi
if [ -z "$bin" ]; then
	bin=$dir/gokeepalived
	go build -o "$bin" ./cmd/gokeepalived
fi

# repeat TEXT BYTES writes TEXT over and over, BYTES in all; lines TEXT N
# writes N lines of TEXT. (Process substitution: yes ends on SIGPIPE, which
# pipefail would count as a failure.)
repeat() { head -c "$2" < <(yes "$1" | tr -d '\n'); }
lines() { head -n "$2" < <(yes "$1"); }

# An ordinary instance, so that name problems are the only ones.
inst() {
	printf 'vrrp_instance %s {\n interface eth0\n virtual_router_id %d\n}\n' "$1" "$2"
}

gen() {
	repeat '{' 1048576 >"$dir/brace-1m.conf"
	lines '{' 524288 >"$dir/brace-lines-1m.conf"
	repeat '{' 99000000 >"$dir/brace-99m.conf"
	lines '{' 49500000 >"$dir/brace-lines-99m.conf"
	lines 'a' 49500000 >"$dir/words-99m.conf"
	head -c 99000000 /dev/zero | tr '\0' '\n' >"$dir/newlines-99m.conf"
	echo '~SEQ(i, 1, 10000000) vrrp_instance VI_$i { interface eth0 }' >"$dir/seq.conf"
	# include diamond: d0 includes d1 twice, d1 includes d2 twice, ... d40.
	mkdir -p "$dir/diamond"
	for i in $(seq 0 39); do
		printf 'include d%d.conf\ninclude d%d.conf\n' $((i + 1)) $((i + 1)) >"$dir/diamond/d$i.conf"
	done
	echo 'global_defs { router_id diamond }' >"$dir/diamond/d40.conf"
	{
		lines 'a {' 1000000
		lines '}' 1000000
	} >"$dir/deep.conf"
	{
		printf 'global_defs {\n router_id '
		repeat 'a ' 90000000
		printf '\n}\n'
	} >"$dir/long-line.conf"
	# many includes: 10,000 files through one glob, each a vrrp_script.
	mkdir -p "$dir/many/conf.d"
	for i in $(seq 1 10000); do
		printf 'vrrp_script chk_%d {\n script "/bin/true"\n}\n' "$i" >"$dir/many/conf.d/$i.conf"
	done
	printf 'global_defs {\n enable_script_security\n}\ninclude conf.d/*.conf\n' >"$dir/many/keepalived.conf"
	repeat '! padding padding padding padding padding padding padding padding
' 105000000 >"$dir/big-100m.conf"
	{
		inst "$(printf 'VI_\xff\xfe')" 1
		inst '"VI_2\n"' 2
		printf 'vrrp_script "chk\\x01" {\n script "/bin/true"\n}\n'
		printf 'vrrp_sync_group "G\\"1" {\n group {\n VI_2\n }\n}\n'
	} >"$dir/names.conf"
}

# measure LABEL FILE: one table row.
measure() {
	local label=$1 file=$2 out=$dir/out.txt tv=$dir/time.txt code=0
	/usr/bin/time -v -o "$tv" "$bin" -t -f "$file" >"$out" 2>&1 || code=$?
	local wall cpu rss size
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tv")
	cpu=$(awk -F': ' '/(User|System) time/ {s += $2} END {printf "%.2f s", s}' "$tv")
	rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$tv")
	size=$(wc -c <"$out")
	printf '| %s | %s | %s | %s MB | %s | %s |\n' "$label" "$(secs "$wall")" "$cpu" "$rss" "$(bytes "$size")" "$code"
}

# secs turns /usr/bin/time's m:ss.cc into seconds.
secs() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f s", s }' <<<"$1"; }

bytes() {
	if [ "$1" -ge 10240 ]; then echo "$(($1 / 1024)) KiB"; else echo "$1 B"; fi
}

gen
echo "| input | wall time | CPU time | peak RSS | output | exit |"
echo "|---|---|---|---|---|---|"
measure '1 MB of `{` (one line)' "$dir/brace-1m.conf"
measure '1 MB of `{` lines' "$dir/brace-lines-1m.conf"
measure '99 MB of `{` (one line)' "$dir/brace-99m.conf"
measure '99 MB of `{` lines' "$dir/brace-lines-99m.conf"
measure '99 MB of one-word lines' "$dir/words-99m.conf"
measure '99 MB of empty lines' "$dir/newlines-99m.conf"
measure '`~SEQ` to 10^7 instances' "$dir/seq.conf"
measure 'include diamond of 41 files' "$dir/diamond/d0.conf"
measure 'nesting 10^6 deep' "$dir/deep.conf"
measure 'a 90 MB line' "$dir/long-line.conf"
measure '10,000 included files' "$dir/many/keepalived.conf"
measure 'a 105 MB file (refused)' "$dir/big-100m.conf"
measure 'names with bad UTF-8, `\n`, `\x01`, `"`' "$dir/names.conf"
