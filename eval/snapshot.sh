#!/usr/bin/env bash
# snapshot.sh: what an rstlint binary finds, apart from its words, on the
# repository's own targets: the test cases (testdata), the repository's
# commands and packages, the standard library (tests included), and cmd.
#
# Usage:
#   eval/snapshot.sh TOOL OUTDIR
#
# Writes OUTDIR/{testdata,repo,std,cmd}.keys: one line per diagnostic,
# position, category and related positions (eval/rstjson -keys), sorted.
# Two binaries that find the same things write the same files, whatever
# their messages say: `diff -r OUT1 OUT2` compares them.
set -euo pipefail
[ $# -eq 2 ] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
tool=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=$2
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/rstjson" "$repo/eval/rstjson"

# run NAME DIR PATTERN...: the keys of one target (rstlint's exit code 3,
# diagnostics found, is no failure).
run() {
	local name=$1 dir=$2
	shift 2
	(cd "$dir" && { "$tool" -json "$@" 2>"$out/$name.err" || [ $? -eq 3 ]; }) | "$work/rstjson" -keys "$dir" >"$out/$name.keys"
	printf '%-9s %5d diagnostics\n' "$name" "$(grep -c '^D' "$out/$name.keys" || true)"
}
run testdata "$repo/testdata" ./...
run repo "$repo" ./...
mkdir -p "$work/std" && printf 'module snapshot\n\ngo 1.26\n' >"$work/std/go.mod"
run std "$work/std" std
run cmd "$work/std" cmd/...
