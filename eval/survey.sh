#!/usr/bin/env bash
# survey.sh: run rstlint over every Go module found below a folder and print
# the diagnostics in a form that is easy to triage.
#
# Usage:
#   eval/survey.sh [--tool PATH] [--tsv FILE] [--timeout SECONDS] [--flags "RSTLINT FLAGS"] ROOT
#
#   ROOT            a folder; every go.mod below it (not under vendor/, testdata/,
#                   node_modules/ or hidden folders) is one module to survey
#   --tool PATH     an rstlint binary to use; by default rstlint is built once
#                   from this repository's cmd/rstlint into a temporary folder
#   --tsv FILE      also write every diagnostic to FILE as TSV, with a header:
#                   module, dir, file:line, category, message
#   --timeout S     time limit per module (default 600 seconds)
#   --flags "..."   extra rstlint flags (e.g. "-halfclose=false")
#
# For each module it runs, inside the module folder,
#     GOFLAGS=-mod=mod rstlint -test=false -json ./...
# so only non-test packages are analyzed, and dependencies are resolved from
# the module proxy (go.mod/go.sum of the surveyed module may be updated).
# A module that fails to load, type-check or finish in time is reported as such
# and the survey goes on.
#
# Output (stdout):
#   1. one line per diagnostic:  module<TAB>file:line<TAB>category<TAB>message
#      (file relative to the module folder; tabs and newlines in the message
#      are turned into spaces)
#   2. per module: status and counts per category
#   3. the totals per category
# Progress and errors go to stderr.
#
# Needs bash, go and the usual POSIX tools; the JSON is parsed by
# eval/rstjson, built from this repository (no jq).

set -euo pipefail

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

tool="" tsv="" timeout_s=600 extra_flags="" root=""
while [ $# -gt 0 ]; do
	case "$1" in
	--tool) tool=$2; shift 2 ;;
	--tsv) tsv=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--flags) extra_flags=$2; shift 2 ;;
	-h|--help) usage ;;
	-*) echo "survey.sh: unknown option $1" >&2; usage ;;
	*) [ -z "$root" ] || usage; root=$1; shift ;;
	esac
done
[ -n "$root" ] && [ -d "$root" ] || usage
root=$(cd "$root" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/rstlint-survey.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- the tools -----------------------------------------------------------

repo=$(cd "$(dirname "$0")/.." && pwd)

# rstlint itself: built once from this repository unless --tool was given.
if [ -z "$tool" ]; then
	echo "survey: building rstlint from $repo/cmd/rstlint" >&2
	(cd "$repo" && go build -o "$work/rstlint" ./cmd/rstlint)
	tool=$work/rstlint
	if rev=$(git -C "$repo" rev-parse HEAD 2>/dev/null); then
		echo "survey: rstlint commit $rev" >&2
	fi
fi
tool=$(cd "$(dirname "$tool")" && pwd)/$(basename "$tool")

# rstjson (eval/rstjson, built from this repository): reads the -json output
# of rstlint and writes one TSV line per diagnostic ("D", file:line,
# category, message) and one per package the analysis could not run on
# ("E", package, error).
(cd "$repo" && go build -o "$work/rstjson.bin" ./eval/rstjson)

# --- the modules ---------------------------------------------------------

mapfile -t gomods < <(find "$root" \( -name vendor -o -name testdata -o -name node_modules -o -name '.?*' \) -prune \
	-o -name go.mod -type f -print | sort)
[ ${#gomods[@]} -gt 0 ] || { echo "survey: no go.mod below $root" >&2; exit 1; }
echo "survey: ${#gomods[@]} modules below $root" >&2

all=$work/all.tsv     # module, dir, file:line, category, message
status=$work/status.tsv # module, dir, status
: >"$all"; : >"$status"

for gomod in "${gomods[@]}"; do
	dir=$(dirname "$gomod")
	mod=$(awk '$1 == "module" { gsub(/"/, "", $2); print $2; exit }' "$gomod")
	[ -n "$mod" ] || mod=${dir#"$root"/}
	rel=${dir#"$root"}; rel=${rel#/}; [ -n "$rel" ] || rel=.
	echo "survey: $mod ($rel)" >&2

	rc=0
	# shellcheck disable=SC2086 # extra_flags is a list of flags
	(cd "$dir" && GOFLAGS=-mod=mod timeout "$timeout_s" "$tool" -test=false $extra_flags -json ./... \
		>"$work/out.json" 2>"$work/err.txt") || rc=$?
	"$work/rstjson.bin" "$dir" <"$work/out.json" >"$work/parsed.tsv" || true

	nerr=$(grep -c '^E' "$work/parsed.tsv" || true)
	firsterr=$(grep -v '^[[:space:]]*$' "$work/err.txt" | head -1 | tr '\t' ' ' | cut -c1-200 || true)
	if [ "$rc" -eq 124 ]; then
		st="timeout after ${timeout_s}s"
	elif grep -q 'matched no packages' "$work/err.txt"; then
		st="no packages"
	elif [ ! -s "$work/out.json" ]; then
		# nothing analyzed at all: the module did not load
		st="build failed: $firsterr"
	elif [ "$nerr" -gt 0 ]; then
		# some packages did not type-check; the others were analyzed
		st="partial: $nerr packages not analyzed (first error: $firsterr)"
	else
		st=ok
	fi
	[ "$st" = ok ] || { echo "survey:   $st" >&2; [ -s "$work/err.txt" ] && head -5 "$work/err.txt" | sed 's/^/survey:     /' >&2; }
	printf '%s\t%s\t%s\n' "$mod" "$rel" "$st" >>"$status"
	# With -test=true a package and its test variant report the same
	# diagnostic twice: keep the first of identical lines.
	awk -F'\t' -v OFS='\t' -v m="$mod" -v d="$rel" '$1 == "D" && !seen[$0]++ { print m, d, $2, $3, $4 }' \
		"$work/parsed.tsv" >>"$all"
	ndiag=$(awk -F'\t' -v m="$mod" -v d="$rel" '$1 == m && $2 == d' "$all" | wc -l)
	echo "survey:   $ndiag diagnostics" >&2
done

# --- the report ----------------------------------------------------------

echo "# diagnostics: module<TAB>file:line<TAB>category<TAB>message"
cut -f1,3- "$all"

echo
echo "# per module: status, then counts per category"
while IFS=$'\t' read -r mod rel st; do
	counts=$(awk -F'\t' -v m="$mod" -v d="$rel" '$1 == m && $2 == d { n[$4]++ }
		END { s = ""; for (c in n) s = s sprintf("%s%s=%d", (s ? " " : ""), c, n[c]); print (s ? s : "none") }' "$all" |
		tr ' ' '\n' | sort | tr '\n' ' ')
	printf '%s\t%s\t%s\t%s\n' "$mod" "$rel" "$st" "${counts% }"
done <"$status"

echo
echo "# total per category ($(wc -l <"$status") modules, $(grep -vc $'\tok$' "$status" || true) not fully analyzed)"
cut -f4 "$all" | sort | uniq -c | awk '{ printf "%s\t%d\n", $2, $1; t += $1 } END { printf "total\t%d\n", t }'

if [ -n "$tsv" ]; then
	{ printf 'module\tdir\tfile:line\tcategory\tmessage\n'; cat "$all"; } >"$tsv"
	echo "survey: wrote $tsv" >&2
fi
