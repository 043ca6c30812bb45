#!/usr/bin/env bash
# corpus/run.sh: the crash check over the corpus. Runs rstlint over the
# packages of every module that corpus/modules.txt lists (at the versions
# corpus/go.mod pins) and fails on any panic, internal error, other crash,
# load error or timeout. Diagnostics are fine: they are only counted.
#
#   bash corpus/run.sh                    # self-test, then every module
#   bash corpus/run.sh MODULE...          # self-test, then only these modules
#   bash corpus/run.sh --self-test        # only the self-test
#   bash corpus/run.sh --list MODULE      # print the packages a run analyzes for MODULE
#   bash corpus/run.sh --tool PATH        # check a prebuilt rstlint instead of building one
#   bash corpus/run.sh --timeout SECONDS  # time limit per module (default 300)
#   bash corpus/run.sh --keep             # keep the work dir (each module's JSON and stderr)
#
# For each module it runs, inside corpus/,
#     rstlint -test=false -json PACKAGE...
# over the module's own packages (MODULE/..., less the packages modules.txt
# excludes), and prints one line: module@version, packages, diagnostics,
# seconds and the verdict. The self-test first feeds the same detection a
# fake rstlint for each kind of failure (a panic, an internal error, a
# timeout, ...) and fails if any of them goes unnoticed.
#
# Exit status: 0 when every module passed, 1 when any failed, 2 on a usage
# or setup error. Needs Go and the module proxy (or a warm module cache).
set -euo pipefail

usage() { sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p;}' "${BASH_SOURCE[0]}"; exit 2; }

corpus=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$corpus")
export GOWORK=off # the corpus is its own module; never a workspace's

# --- reading modules.txt ------------------------------------------------

# modules_txt prints "MODULE<TAB>EXCLUDE" for each module line of
# modules.txt (EXCLUDE empty when none).
modules_txt() {
	local line mod excl rest
	while IFS= read -r line || [[ -n $line ]]; do
		line=${line%%#*}
		read -r mod excl rest <<<"$line" || true
		[[ -n $mod ]] || continue
		if [[ -n $rest ]]; then
			echo "run.sh: modules.txt: more than MODULE and EXCLUDE on the line of $mod" >&2
			return 2
		fi
		printf '%s\t%s\n' "$mod" "$excl"
	done <"$corpus/modules.txt"
}

# exclude_of MODULE prints the EXCLUDE of MODULE; fails if it is not listed.
exclude_of() {
	local mod excl
	while IFS=$'\t' read -r mod excl; do
		if [[ $mod == "$1" ]]; then
			printf '%s\n' "$excl"
			return 0
		fi
	done < <(modules_txt)
	echo "run.sh: $1 is not in corpus/modules.txt" >&2
	return 2
}

# packages MODULE EXCLUDE OUT BROKEN: writes to OUT the import paths of the
# module's own packages (not those of modules nested in it) that EXCLUDE does
# not match, and to BROKEN one line per such package that does not load here,
# with the reason. Left out without a word: packages of test files only, which
# rstlint -test=false has nothing to analyze in. A package whose every
# non-test file is excluded by build constraints (it does not build on this
# OS/arch) is BROKEN: exclude it in modules.txt, saying so.
packages() {
	local mod=$1 excl=$2 out=$3 broken=$4 path ngo ncgo ignored err f
	: >"$out"
	: >"$broken"
	# One line a package, fields split by '|' (a tab would not do: read
	# merges empty tab-split fields): path, number of Go and cgo files, the
	# files build constraints exclude, its error (quoted, so on one line).
	(cd "$corpus" && go list -e -f '{{if and .Module (eq .Module.Path "'"$mod"'")}}{{.ImportPath}}|{{len .GoFiles}}|{{len .CgoFiles}}|{{join .IgnoredGoFiles " "}}|{{if .Error}}{{printf "%q" .Error.Err}}{{else if .DepsErrors}}{{printf "%q" (index .DepsErrors 0).Err}}{{end}}
{{end}}' "$mod/...") >"$out.all" 2>"$out.err" || {
		echo "go list $mod/... failed: $(head -c 2000 "$out.err")" >"$broken"
		return 0
	}
	while IFS='|' read -r path ngo ncgo ignored err; do
		[[ -n $path ]] || continue
		if [[ -n $excl && $path =~ $excl ]]; then
			continue
		fi
		if [[ -n $err ]]; then
			printf '%s: %s\n' "$path" "$err" >>"$broken"
		elif ((ngo + ncgo == 0)); then
			for f in $ignored; do
				if [[ $f != *_test.go ]]; then
					printf '%s: build constraints exclude all its non-test files on %s (%s)\n' \
						"$path" "$(go env GOOS)/$(go env GOARCH)" "$ignored" >>"$broken"
					break
				fi
			done
		else
			printf '%s\n' "$path" >>"$out"
		fi
	done <"$out.all"
	if [[ ! -s $out && ! -s $broken ]]; then
		echo "$mod/... matched no package (is $mod in corpus/go.mod?): $(head -c 2000 "$out.err")" >"$broken"
	fi
}

# --- running and judging --------------------------------------------------

# verdict RC TIMEDOUT ERR TSV: the verdict on one rstlint run, from its exit
# status, whether it ran for the whole time limit (true or false), its stderr
# (file ERR) and its JSON as rstjson's TSV (file TSV: "D" lines are
# diagnostics, "E" lines a package the analysis failed on). Prints "ok" or
# the kind of failure.
verdict() {
	local rc=$1 timedout=$2 err=$3 tsv=$4
	# timeout(1) exits 124, or 137 when it had to SIGKILL; a 137 before the
	# limit is someone else's SIGKILL (the OOM killer), said below.
	if ((rc == 124)) || { ((rc == 137)) && $timedout; }; then
		echo timeout
	elif grep -qE 'panic:|^goroutine [0-9]+ \[|fatal error:|SIGSEGV|SIGBUS|SIGABRT' "$err"; then
		echo panic
	elif grep -q 'internal error' "$err" || grep -q '^E.*internal error' "$tsv"; then
		echo internal-error
	elif grep -q '^E' "$tsv"; then
		echo analysis-error # e.g. "analysis skipped due to errors in package"
	elif ((rc > 128)); then
		echo "killed-by-signal-$((rc - 128))"
	elif ((rc != 0 && rc != 3)); then
		echo "exit-$rc" # 1: load errors (printed on stderr), bad flags, ...
	elif [[ ! -s ${tsv%.tsv}.json ]]; then
		echo no-output # -json always prints an object, even an empty one
	else
		echo ok
	fi
}

# run_one MODULE LABEL PKGFILE BASE: runs $tool over the packages in PKGFILE
# with the time limit, writes BASE.json, BASE.err, BASE.tsv, prints the
# module's line, sets last_verdict and returns 0 when it is ok, 1 otherwise.
run_one() {
	local mod=$1 label=$2 pkgs=$3 base=$4 start rc v npkg ndiag secs timedout
	local -a list
	mapfile -t list <"$pkgs"
	npkg=${#list[@]}
	start=$(date +%s.%N)
	rc=0
	# The outer 2>/dev/null only silences bash's own note of a child killed
	# by a signal ("Segmentation fault"); the verdict reports that.
	{ (cd "$corpus" && exec timeout -k 10 "$timeout_s" "$tool" -test=false -json "${list[@]}") \
		>"$base.json" 2>"$base.err"; } 2>/dev/null || rc=$?
	secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
	timedout=$(awk -v s="$secs" -v t="$timeout_s" 'BEGIN { print (s >= t ? "true" : "false") }')
	"$rstjson" "$corpus" <"$base.json" >"$base.tsv" 2>>"$base.err" || true
	ndiag=$(grep -c '^D' "$base.tsv" || true)
	v=$(verdict "$rc" "$timedout" "$base.err" "$base.tsv")
	last_verdict=$v
	printf '%-62s %4d pkgs %5d diags %7ss  %s\n' "$label" "$npkg" "$ndiag" "$secs" \
		"$([[ $v == ok ]] && echo ok || echo "FAIL: $v (exit $rc)")"
	if [[ $v != ok ]]; then
		report "$mod" "$v" "$base"
		return 1
	fi
}

# report MODULE VERDICT BASE: what a failure looked like.
report() {
	local mod=$1 v=$2 base=$3
	case $v in
	panic)
		echo "   the first panic or fatal error on stderr, with its stack:"
		grep -m1 -B2 -A60 -E 'panic:|fatal error:|SIGSEGV|SIGBUS|SIGABRT|^goroutine [0-9]+ \[' "$base.err" | sed 's/^/   | /'
		;;
	internal-error | analysis-error)
		echo "   the packages the analysis failed on:"
		grep '^E' "$base.tsv" | head -n 20 | cut -f2- | sed 's/^/   | /'
		grep -m5 'internal error' "$base.err" | sed 's/^/   | /' || true
		;;
	timeout)
		echo "   no result within ${timeout_s}s (--timeout); the end of stderr:"
		tail -n 10 "$base.err" | sed 's/^/   | /'
		;;
	*)
		echo "   stderr begins:"
		head -n 30 "$base.err" | sed 's/^/   | /'
		;;
	esac
	$keep && echo "   (stdout: $base.json, stderr: $base.err)"
	return 0
}

# --- the self-test ----------------------------------------------------------

# self_test: run_one and verdict against fake rstlints, one per kind of
# failure and two that pass; each must get the verdict it was made for.
self_test() {
	local dir=$work/selftest name want got rc passed=0 failed=0 saved_tool=$tool saved_timeout=$timeout_s
	mkdir -p "$dir"
	echo example.com/p >"$dir/pkgs"
	local diag='{"example.com/p": {"rstlint": [{"posn": "/x/p.go:3:4", "category": "unread-close", "message": "m"}, {"posn": "/x/p.go:9:1", "category": "linger-zero", "message": "n"}]}}'
	fake() { printf '#!/usr/bin/env bash\n%s\n' "$2" >"$dir/$1"; chmod +x "$dir/$1"; }
	fake clean 'echo "{}"'
	fake diags "echo '$diag'"
	fake diags-exit3 "echo '$diag'; exit 3"
	fake panic 'echo "{}"; printf "panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n" >&2; exit 2'
	fake fatal 'printf "fatal error: concurrent map writes\n\ngoroutine 7 [running]:\n" >&2; exit 2'
	fake internal-json "echo '{\"example.com/p\": {\"rstlint\": {\"error\": \"internal error (please report): (*p.T).f: boom\"}}}'"
	fake internal-stderr 'echo "example.com/p: internal error (please report): boom" >&2; exit 1'
	fake analysis-error "echo '{\"example.com/q\": {\"rstlint\": {\"error\": \"analysis skipped due to errors in package\"}}}'"
	fake load-error 'echo "/x/p.go:1:1: expected '"'"'package'"'"', found '"'"'EOF'"'"'" >&2; echo "{}"; exit 1'
	fake segv 'kill -SEGV $$'
	fake oom-killed 'kill -KILL $$'
	fake silent 'exit 0'
	fake bad-json 'echo "{\"example.com/p\": "'
	fake slow 'exec sleep 30'
	timeout_s=1
	for name in clean diags diags-exit3 panic fatal internal-json internal-stderr analysis-error load-error segv oom-killed silent bad-json slow; do
		case $name in
		clean | diags | diags-exit3) want=ok ;;
		panic | fatal) want=panic ;;
		internal-json | internal-stderr) want=internal-error ;;
		analysis-error | bad-json) want=analysis-error ;;
		load-error) want=exit-1 ;;
		segv) want=killed-by-signal-11 ;;
		oom-killed) want=killed-by-signal-9 ;;
		silent) want=no-output ;;
		slow) want=timeout ;;
		esac
		tool=$dir/$name
		last_verdict=""
		rc=0
		run_one example.com/p "self-test: fake rstlint '$name'" "$dir/pkgs" "$dir/$name" >"$dir/$name.out" || rc=$?
		got=$last_verdict
		# The verdict, run_one's status and its line must all agree.
		if [[ $got == "$want" ]] && if [[ $want == ok ]]; then ((rc == 0)) && grep -q '  ok$' "$dir/$name.out"; else ((rc == 1)) && grep -q "FAIL: $want " "$dir/$name.out"; fi; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			echo "self-test: fake rstlint '$name': want $want, got '${got:-nothing}'; its output:"
			sed 's/^/   | /' "$dir/$name.out"
		fi
	done
	# The diagnostics counted.
	if ! grep -qE ' 2 diags ' "$dir/diags.out"; then
		failed=$((failed + 1))
		echo "self-test: fake rstlint 'diags': want 2 diagnostics counted; its line: $(cat "$dir/diags.out")"
	else
		passed=$((passed + 1))
	fi
	tool=$saved_tool
	timeout_s=$saved_timeout
	echo "self-test: $passed passed, $failed failed"
	((failed == 0))
}

# --- main ---------------------------------------------------------------------

tool="" timeout_s=300 keep=false self_only=false list_only=false
mods=()
while (($#)); do
	case $1 in
	--tool) tool=${2:?--tool needs a path}; shift ;;
	--timeout) timeout_s=${2:?--timeout needs seconds}; shift ;;
	--keep) keep=true ;;
	--self-test) self_only=true ;;
	--list) list_only=true ;;
	-h | --help) usage ;;
	-*) echo "run.sh: unknown flag $1" >&2; usage ;;
	*) mods+=("$1") ;;
	esac
	shift
done
[[ $timeout_s =~ ^[0-9]+$ ]] || { echo "run.sh: --timeout needs whole seconds" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/corpus.XXXXXX")
if $keep; then
	echo "run.sh: work dir $work"
else
	trap 'rm -rf "$work"' EXIT
fi

if $list_only; then
	((${#mods[@]} == 1)) || { echo "run.sh: --list takes one MODULE" >&2; exit 2; }
	excl=$(exclude_of "${mods[0]}") || exit 2
	packages "${mods[0]}" "$excl" "$work/pkgs" "$work/broken"
	cat "$work/pkgs"
	if [[ -s $work/broken ]]; then
		sed 's/^/run.sh: does not load: /' "$work/broken" >&2
		exit 1
	fi
	exit 0
fi

# rstjson (eval/rstjson) reads rstlint's -json output; built like rstlint,
# from the repository.
(cd "$repo" && go build -o "$work/rstjson" ./eval/rstjson) || exit 2
rstjson=$work/rstjson

self_test || { echo "run.sh: FAIL: the self-test: the failure detection is broken" >&2; exit 1; }
$self_only && exit 0

if [[ -z $tool ]]; then
	echo "run.sh: building rstlint from $repo/cmd/rstlint ($(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo 'no git'))"
	(cd "$repo" && go build -o "$work/rstlint" ./cmd/rstlint) || exit 2
	tool=$work/rstlint
fi
tool=$(realpath "$tool")

declare -A excl_of=()
all=()
while IFS=$'\t' read -r mod excl; do
	all+=("$mod")
	excl_of[$mod]=$excl
done < <(modules_txt)
if ((${#mods[@]} == 0)); then
	mods=("${all[@]}")
fi
for mod in "${mods[@]}"; do
	[[ -v excl_of[$mod] ]] || { echo "run.sh: $mod is not in corpus/modules.txt" >&2; exit 2; }
	# Pinned by a require line of its own, not only reached through another.
	grep -qE "^[[:space:]]+${mod//./\\.} v" "$corpus/go.mod" ||
		{ echo "run.sh: $mod is in modules.txt but go.mod does not require it" >&2; exit 2; }
done

# The pinned versions, from go.mod (this also downloads the go.mod files).
declare -A version_of=()
while read -r mod ver; do
	version_of[$mod]=$ver
done < <(cd "$corpus" && go list -m -f '{{.Path}} {{.Version}}' "${mods[@]}") || exit 2

echo "run.sh: ${#mods[@]} modules, rstlint -test=false -json, ${timeout_s}s each"
failed=()
total_start=$SECONDS
for mod in "${mods[@]}"; do
	base=$work/$(tr -c 'A-Za-z0-9.\n' _ <<<"$mod")
	label=$mod@${version_of[$mod]:-?}
	packages "$mod" "${excl_of[$mod]}" "$base.pkgs" "$base.broken"
	if [[ -s $base.broken ]]; then
		printf '%-62s %4s pkgs %5s diags %7ss  FAIL: packages do not load\n' "$label" "$(wc -l <"$base.pkgs")" - -
		echo "   exclude them in corpus/modules.txt, with the reason, only if they cannot build here:"
		head -n 10 "$base.broken" | cut -c1-400 | sed 's/^/   | /'
		failed+=("$label: packages do not load")
		continue
	fi
	if ! run_one "$mod" "$label" "$base.pkgs" "$base"; then
		failed+=("$label: $last_verdict")
	fi
done

echo "run.sh: $((SECONDS - total_start))s for ${#mods[@]} modules"
if ((${#failed[@]})); then
	printf 'run.sh: FAIL: %s\n' "${failed[@]}"
	exit 1
fi
echo "run.sh: OK (${#mods[@]} modules, no crash)"
