#!/usr/bin/env bash
# integration/nethook.sh [toolchain ...]   (default: local go1.27.4)
#
# Proves the zero-code runtime proof on each toolchain rstlint supports:
# `go install` of rstlint-test and rstlint, then, in a module that has
# never heard of rstlint (a copy of testdata/hookcases under another
# module path), one command:
#
#   rstlint-test -rstlint.trace=rst.trace ./...
#
# must pass the tests, list the Closes that reset in the three groups
# (program, test files, inside net/http), and write a trace on which
# `rstlint -trace` confirms the Confirmed handler's warning and reports
# the function value's Close as runtime-only; and with -rstlint.netns, the
# counters of a private network namespace must show TestLateData's reset
# after our FIN, which no hook can see. "local" is the go on PATH
# (Go 1.26); go1.27.4 is fetched by the go command from the module proxy
# (GOTOOLCHAIN), as integration/gopls.sh does for gopls v0.24.0.
#
# Needs go and the Go module proxy. Runnable from anywhere. Exits non-zero
# on the first failure; RSTLINT_KEEP_WORK=1 keeps the work directory.
set -euo pipefail

label=nethook
# shellcheck source=integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

toolchains=("$@")
if ((${#toolchains[@]} == 0)); then toolchains=(local go1.27.4); fi

expect() { # expect FILE TEXT: FILE holds TEXT
	if grep -qF -- "$2" "$1"; then ok "$2"; else
		cat "$1" >&2
		fail "no \"$2\" in $(basename "$1")"
	fi
}

for tc in "${toolchains[@]}"; do
	export GOTOOLCHAIN=$tc
	version=$(cd "$work" && go env GOVERSION)
	bin="$work/$tc/bin"
	mod="$work/$tc/fresh"

	step "$version: go install rstlint-test and rstlint"
	(cd "$root" && GOBIN="$bin" go install ./cmd/rstlint-test ./cmd/rstlint)
	ok "installed in $bin"

	step "$version: a module that has never heard of rstlint"
	mkdir -p "$mod"
	cp "$root"/testdata/hookcases/*.go "$mod/"
	printf 'module example.com/fresh\n\ngo 1.26\n' >"$mod/go.mod"
	if grep -rq rstlint "$mod/go.mod"; then fail "go.mod names rstlint"; fi
	ok "example.com/fresh: $(ls "$mod" | tr '\n' ' ')"

	step "$version: rstlint-test ./..."
	t=$SECONDS
	(cd "$mod" && "$bin/rstlint-test" -rstlint.trace=rst.trace ./... >"$work/out" 2>"$work/summary") ||
		{ cat "$work/out" "$work/summary" >&2; fail "rstlint-test exited non-zero"; }
	cat "$work/summary"
	ok "tests passed in $((SECONDS - t))s, overlay build included"
	expect "$work/summary" "rstlint-test ($version): 4 Closes reset their connection"
	expect "$work/summary" "closed by the program: 2 at 2 sites"
	expect "$work/summary" "hookcases.go:25  fresh.Confirmed"
	expect "$work/summary" "60 bytes unread; in TestConfirmed; conn from hookcases_test.go:31"
	expect "$work/summary" "closed by the test files: 1 at 1 site"
	expect "$work/summary" "closed inside the standard library: 1 at 1 site"
	expect "$work/summary" "http.(*conn).close"

	step "$version: rstlint -trace=rst.trace ./..."
	code=0
	(cd "$mod" && "$bin/rstlint" -trace=rst.trace ./... >"$work/lint" 2>&1) || code=$?
	cat "$work/lint"
	((code == 3)) || fail "rstlint exited $code, want 3 (diagnostics)"
	expect "$work/lint" "hookcases.go:21:2: conn c is closed with input read in part: RST may destroy our reply (unread-close)"
	expect "$work/lint" "confirmed: reset seen in TestConfirmed (60 bytes unread)"
	expect "$work/lint" "hookcases.go:29:2: a Close here reset its conn in TestRuntimeOnly (64 bytes unread); rstlint did not predict it (runtime-only)"
	if grep -q "server.go" "$work/lint"; then fail "a Close inside net/http was reported in the module"; fi
	ok "net/http's own Close is not reported in the module"

	step "$version: rstlint-test -rstlint.netns ./... (the reset after our FIN, from the counters)"
	(cd "$mod" && "$bin/rstlint-test" -rstlint.netns -rstlint.trace=rst.trace ./... >"$work/out" 2>"$work/summary") ||
		{ cat "$work/out" "$work/summary" >&2; fail "rstlint-test -rstlint.netns exited non-zero"; }
	sed -n '/^network namespaces/,$p' "$work/summary"
	expect "$work/summary" "rstlint-test ($version): 4 Closes reset their connection"
	expect "$work/summary" "network namespaces: 1 of 1 test binary ran in a private one"
	expect "$work/summary" "     1 after our FIN"
done
echo "nethook: ${#toolchains[@]} toolchains proven (${toolchains[*]})"
