#!/usr/bin/env bash
# Robustness check: run rstlint through "go vet" over the standard library
# (and, with --cmd, over cmd too) and fail if the tool crashes or fails on
# any package. Diagnostics are fine: they are counted by category, not judged.
#
#   bench/robust.sh                 # std
#   bench/robust.sh --cmd           # std and cmd
#   bench/robust.sh net/... os/...  # other patterns instead of std
#   bench/robust.sh --tool PATH     # check a prebuilt vet tool instead of ./cmd/rstlint
#   bench/robust.sh --keep          # keep the work dir (vet JSON and stderr)
#
# Needs nothing but Go: the JSON is summarised by bench/cmd/vetjson.
#
# Why -json: Go 1.26 (this module's toolchain) always runs the tool with -json. Without
# -json on go vet's own command line, it turns the JSON back into text and
# exits 1 for diagnostics, which is also its status when a tool crashed, and
# an analyzer's error then reads like a diagnostic. With "go vet -json" the
# JSON is passed through and diagnostics leave the exit status at 0, so:
#   - go vet exiting non-zero means a tool process failed (or a package did
#     not build); stderr says which, and is scanned for panics and stack
#     traces to call it a crash;
#   - an analyzer that returned an error shows up only as {"error": ...} in
#     the JSON, which vetjson reports (and fails on).
set -uo pipefail # not -e: the exit statuses are what we inspect

usage() { sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p;}' "${BASH_SOURCE[0]}"; exit 2; }

patterns=()
with_cmd=false
tool=""
keep=false
while (($#)); do
	case "$1" in
	--cmd) with_cmd=true ;;
	--tool) tool=${2:?--tool needs a path}; shift ;;
	--keep) keep=true ;;
	-h | --help) usage ;;
	-*) echo "robust.sh: unknown flag $1" >&2; usage ;;
	*) patterns+=("$1") ;;
	esac
	shift
done
((${#patterns[@]})) || patterns=(std)
$with_cmd && patterns+=(cmd)

# Builds are by package path within this module.
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
work=$(mktemp -d "${TMPDIR:-/tmp}/robust.XXXXXX") || exit 2
if $keep; then
	echo "robust.sh: work dir $work"
else
	trap 'rm -rf "$work"' EXIT
fi

if [[ -z $tool ]]; then
	# A fresh, never-seen build ID. go vet caches each package's result
	# under the tool's ID (the SHA-256 of the executable, from -V=full); a
	# cached success is replayed without running the tool, and without what
	# it may have printed on stderr. A unique binary makes every package
	# really be analysed by the code as it is now. (Failures are never
	# cached, so a --tool binary that vet has seen before is still checked
	# for crashes, just not re-run where it had succeeded.)
	tool=$work/rstlint
	go build -ldflags="-buildid=robust-$(date +%s%N)-$RANDOM" -o "$tool" ./cmd/rstlint || exit 2
fi
tool=$(realpath "$tool") || exit 2
go build -o "$work/vetjson" ./bench/cmd/vetjson || exit 2

# What go vet (or the Go runtime) prints when a tool process did not end
# normally: a panic and its goroutine dump, a runtime fatal error, a
# log.Fatal'd "internal error", or go vet's note of a bare non-zero exit.
crash_re='panic:|^goroutine [0-9]+ \[|fatal error:|internal error|exit status [0-9]+|SIGSEGV'

failed=()
for pat in "${patterns[@]}"; do
	base=$work/$(tr -c 'A-Za-z0-9\n' _ <<<"$pat")
	echo "== go vet -json -vettool=$(basename "$tool") $pat"
	start=$SECONDS
	go vet -json -vettool="$tool" "$pat" >"$base.json" 2>"$base.err"
	rc=$?
	echo "   exit $rc in $((SECONDS - start))s"

	if grep -qE "$crash_re" "$base.err" "$base.json"; then
		failed+=("$pat: tool crashed or failed")
		echo "   CRASH; first lines of the first report:"
		grep -h -m1 -B2 -A25 -E "$crash_re" "$base.err" "$base.json" | sed 's/^/   | /'
	elif ((rc != 0)); then
		# With -json, diagnostics do not make go vet exit non-zero.
		failed+=("$pat: go vet exited $rc")
		echo "   FAILED; go vet's stderr begins:"
		head -n 30 "$base.err" | sed 's/^/   | /'
	elif [[ -s $base.err ]]; then
		# Not fatal, but a clean run prints nothing on stderr under -json.
		echo "   note: go vet printed on stderr ($(wc -l <"$base.err") lines); it begins:"
		head -n 10 "$base.err" | sed 's/^/   | /'
	fi

	"$work/vetjson" "$base.json" | sed 's/^/   /'
	case ${PIPESTATUS[0]} in
	0) ;;
	1) failed+=("$pat: analyzer errors") ;;
	*) failed+=("$pat: unreadable vet JSON") ;;
	esac
done

if ((${#failed[@]})); then
	printf 'robust.sh: FAIL: %s\n' "${failed[@]}"
	exit 1
fi
echo "robust.sh: OK (${patterns[*]})"
