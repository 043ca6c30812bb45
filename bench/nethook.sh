#!/usr/bin/env bash
# bench/nethook.sh [-rounds N] TARGET...
#
# What rstlint-test's hook costs a test suite: the wall time of
#
#   rstlint-test -rstlint.trace=T FLAGS PKGS     (package net hooked)
#   go test -count=1 FLAGS PKGS                  (the same tests, plain)
#
# in alternating rounds, after one untimed run of each (which builds the
# overlaid standard library once and warms the build cache for both). It
# prints each round and, per target, the medians and their ratios of two
# times: the wall time of the whole command, and the test time, the sum
# of the times go test reports for each package ("ok pkg 1.23s"), which is
# the test binaries' run without the go command's own work.
#
# A TARGET is std:PKG (a standard-library package, run in GOROOT/src with
# -short, e.g. std:net/http) or a module directory (its ./..., with
# -short). Tests vary by themselves from run to run (net/http's more than
# the hook costs): use 5 rounds or more and read the medians.
#
#   bash bench/nethook.sh -rounds 5 std:net/http /path/to/module ...
#
# Last, the cost per conn: internal/nethook's TestConnCost runs 20,000
# short graceful exchanges built with and without the hook.
set -euo pipefail

rounds=5
if [[ ${1:-} == -rounds ]]; then
	rounds=$2
	shift 2
fi
(($# > 0)) || {
	echo "usage: $0 [-rounds N] std:PKG|DIR..." >&2
	exit 2
}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/rstlint-nethook-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/rstlint-test" ./cmd/rstlint-test)

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}'; }

# timed DIR CMD...: runs CMD in DIR, prints its wall seconds and the sum of
# the package times go test reported; the tests' output goes to a log, and
# a failing suite is noted, not fatal: both sides run the same tests.
timed() {
	local label=$1 dir=$2
	shift 2
	local t0=$EPOCHREALTIME
	(cd "$dir" && "$@" >"$work/log" 2>&1) ||
		echo "  ($label: exit $?, failed: $(grep -o -- '--- FAIL: [^ ]*' "$work/log" | cut -d' ' -f3 | tr '\n' ' '))" >&2
	local t1=$EPOCHREALTIME
	local sum
	sum=$(sed -n 's/^\(ok\|FAIL\)[[:space:]]\{1,\}[^[:space:]]\{1,\}[[:space:]]\{1,\}\([0-9.]\{1,\}\)s.*/\2/p' "$work/log" | awk '{s+=$1} END {printf "%.2f", s}')
	awk -v a="$t0" -v b="$t1" -v s="$sum" 'BEGIN {printf "%.2f %s\n", b-a, s}'
}

for target in "$@"; do
	if [[ $target == std:* ]]; then
		dir=$(go env GOROOT)/src
		pkgs=(${target#std:})
	else
		dir=$(cd "$target" && pwd)
		pkgs=(./...)
		target=$(basename "$dir")
	fi
	flags=(-short)
	plain=(go test -count=1 "${flags[@]}" "${pkgs[@]}")
	hooked=("$work/rstlint-test" -rstlint.trace="$work/rst.trace" "${flags[@]}" "${pkgs[@]}")
	echo "== $target: warm-up (builds the overlaid std once)"
	timed hooked "$dir" "${hooked[@]}" >/dev/null
	timed plain "$dir" "${plain[@]}" >/dev/null
	: >"$work/plain"
	: >"$work/hooked"
	for ((r = 1; r <= rounds; r++)); do
		read -r hw ht < <(timed hooked "$dir" "${hooked[@]}")
		read -r pw pt < <(timed plain "$dir" "${plain[@]}")
		echo "$hw $ht" >>"$work/hooked"
		echo "$pw $pt" >>"$work/plain"
		echo "  round $r: wall hooked ${hw}s plain ${pw}s; tests hooked ${ht}s plain ${pt}s"
	done
	mhw=$(cut -d' ' -f1 "$work/hooked" | median)
	mpw=$(cut -d' ' -f1 "$work/plain" | median)
	mht=$(cut -d' ' -f2 "$work/hooked" | median)
	mpt=$(cut -d' ' -f2 "$work/plain" | median)
	awk -v t="$target" -v hw="$mhw" -v pw="$mpw" -v ht="$mht" -v pt="$mpt" -v n="$rounds" \
		'BEGIN {printf "%-28s wall %6.2fs/%6.2fs %.3fx   tests %6.2fs/%6.2fs %.3fx   (hooked/plain, medians of %d)\n", t, hw, pw, hw/pw, ht, pt, ht/pt, n}' | tee -a "$work/summary"
done
echo
cat "$work/summary"

echo
echo "== per conn: the hook's cost on a graceful exchange (internal/nethook TestConnCost)"
(cd "$root" && RSTLINT_NETHOOK_COST=1 go test -count=1 -run '^TestConnCost$' -v ./internal/nethook | grep 'per graceful')
