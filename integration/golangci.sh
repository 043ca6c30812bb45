#!/usr/bin/env bash
# integration/golangci.sh [golangci-lint version, default v2.15.0]
#
# Proves the golangci-lint v2 module plugin (plugin/golangci) end to end:
# builds a golangci-lint with rstlint in it the way users do, with
# `golangci-lint custom` and the .custom-gcl.yml of docs/integrations.md,
# then runs it on a fixture module written here and checks what it reports.
#
# `golangci-lint custom` clones github.com/golangci/golangci-lint with git,
# and GitHub is out of reach here (and may be in CI). So the clone is served
# from a local git repository made from the same source, taken from the Go
# module proxy, and git is pointed at it with a url.<base>.insteadOf set
# through GIT_CONFIG_* variables (which `custom` passes through to git).
# Everything after the clone is golangci-lint's own code: the plugins.go
# import file, `go mod edit -replace`, `go mod tidy`, `go build`.
#
# Needs go, git and the Go module proxy. Runnable from anywhere. Prints
# each check; exits non-zero on the first failure. RSTLINT_KEEP_WORK=1
# keeps the temporary directory; RSTLINT_GCL_OUT=/path/to/custom-gcl copies
# the custom golangci-lint there.
set -euo pipefail

gcl_version=${1:-v2.15.0}
gcl_module=github.com/golangci/golangci-lint/v2

label=golangci
# shellcheck source=integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v git >/dev/null || fail "git is needed: golangci-lint custom clones with it"

step "stock golangci-lint $gcl_version (go install from the module proxy)"
# The user's first step: a golangci-lint to run `custom` with.
GOBIN="$work/bin" go install "$gcl_module/cmd/golangci-lint@$gcl_version"
gcl_stock="$work/bin/golangci-lint"
"$gcl_stock" version

step "local stand-in for github.com/golangci/golangci-lint.git at $gcl_version"
# The module zip holds the tree `custom` would clone at tag $gcl_version
# (less nested modules, which the build does not use). This is a throwaway
# repository of its own under $work, not the project's.
src=$(go mod download -json "$gcl_module@$gcl_version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[[ -d $src ]] || fail "go mod download gave no source directory for $gcl_module@$gcl_version"
mirror="$work/golangci-lint.git"
cp -r "$src" "$mirror"
chmod -R u+w "$mirror"
git_local() { git -C "$mirror" -c user.name=rstlint -c user.email=rstlint@localhost -c core.hooksPath=/dev/null -c commit.gpgsign=false -c tag.gpgsign=false "$@"; }
git_local init -q
git_local add -A
git_local commit -q -m "golangci-lint $gcl_version from the Go module proxy"
git_local tag "$gcl_version"
# Seen by the git that `custom` runs: the GitHub URL becomes this repository.
export GIT_CONFIG_COUNT=1
export GIT_CONFIG_KEY_0="url.file://$mirror/.insteadOf"
export GIT_CONFIG_VALUE_0="https://github.com/golangci/golangci-lint.git"
ok "git clone https://github.com/golangci/golangci-lint.git is served from $mirror"

step "golangci-lint custom with the .custom-gcl.yml of docs/integrations.md"
docs="$root/docs/integrations.md"
# doc_has FILE: the file, as this script wrote it, must be in the docs
# verbatim (with our checkout's path spelled /path/to/rstlint), so
# the docs are what was run.
doc_has() {
	local text
	text=$(<"$1")
	text=${text//"$root"/\/path\/to\/rstlint}
	[[ $(<"$docs") == *"$text"* ]] || fail "docs/integrations.md does not show $(basename "$1") as run:
$text"
	ok "docs/integrations.md shows $(basename "$1") exactly as run"
}
build="$work/build"
mkdir -p "$build" "$work/tmp"
cat >"$build/.custom-gcl.yml" <<EOF
version: $gcl_version
name: custom-gcl
plugins:
  - module: github.com/rstlint/rstlint
    import: github.com/rstlint/rstlint/plugin/golangci
    path: $root
EOF
if [[ $gcl_version == v2.15.0 ]]; then doc_has "$build/.custom-gcl.yml"; fi
# TMPDIR: `custom` builds in a temporary directory; keep it under $work.
(cd "$build" && TMPDIR="$work/tmp" "$gcl_stock" custom -v)
gcl="$build/custom-gcl"
[[ -x $gcl ]] || fail "golangci-lint custom made no $gcl"
"$gcl" version
ok "custom-gcl built with rstlint linked in"
if [[ -n ${RSTLINT_GCL_OUT:-} ]]; then cp "$gcl" "$RSTLINT_GCL_OUT"; fi

step "fixture module"
fixture="$work/fixture"
mkdir -p "$fixture/rst" "$fixture/seed"
cat >"$fixture/go.mod" <<'EOF'
module rstfixture

go 1.26
EOF
# One close each of unread-close, halfclose-undrained and linger-zero, one
# suppressed with //nolint, one clean.
# "// line:NAME" marks the lines the checks look for. Errors are discarded
# with _ everywhere but on line:unread, so errcheck reports that line only.
cat >"$fixture/rst/rst.go" <<'EOF'
// Package rst is the golangci-lint proof's fixture.
package rst

import (
	"fmt"
	"io"
	"net"
	"time"
)

// Unread answers and closes without reading the request.
func Unread(c net.Conn) {
	_, _ = fmt.Fprintln(c, "hello")
	c.Close() // line:unread
}

// HalfClose sends FIN but never reads the peer's input to EOF.
func HalfClose(c *net.TCPConn) {
	_, _ = fmt.Fprintln(c, "bye")
	_ = c.CloseWrite()
	_ = c.Close() // line:halfclose
}

// Linger reads to EOF, then closes with SO_LINGER 0: a certain RST.
func Linger(c *net.TCPConn) {
	_ = c.SetLinger(0)
	_, _ = io.Copy(c, c)
	_ = c.Close() // line:linger
}

// Suppressed is Unread, with a nolint directive.
func Suppressed(c net.Conn) {
	_, _ = fmt.Fprintln(c, "hello")
	_ = c.Close() //nolint:rstlint // line:nolint a health check: RST is wanted
}

// Graceful is the fix: FIN, bounded drain, Close.
func Graceful(c *net.TCPConn) {
	_, _ = fmt.Fprintln(c, "bye")
	_ = c.CloseWrite()
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	_, _ = io.Copy(io.Discard, io.LimitReader(c, 1<<20))
	_ = c.Close() // line:graceful
}
EOF
# The README's example, as shipped.
cp "$root/example/seed/main.go" "$fixture/seed/main.go"
line() { grep -n "// line:$1" "$fixture/rst/rst.go" | cut -d: -f1; }
ok "rstfixture: rst/rst.go (3 reported closes, a //nolint one, a graceful one) and seed/main.go (copy of example/seed)"

# config FILE ENABLED SETTINGS [ISSUES]: a .golangci.yml enabling ENABLED
# (space-separated) with rstlint's SETTINGS (YAML lines, indented to sit
# under `settings:`) and an optional `issues:` section.
config() {
	{
		echo 'version: "2"'
		echo 'linters:'
		echo '  default: none'
		echo '  enable:'
		for l in $2; do echo "    - $l"; done
		echo '  settings:'
		echo '    custom:'
		echo '      rstlint:'
		echo '        type: module'
		echo '        description: closes of TCP connections that make Linux send RST instead of FIN'
		echo '        original-url: github.com/rstlint/rstlint'
		echo '        settings:'
		printf '%s\n' "$3"
		if [[ -n ${4:-} ]]; then printf '%s\n' "$4"; fi
	} >"$1"
}

out="$work/out"
# lint CONFIG PACKAGES...: runs custom-gcl; rc holds its exit code, $out its
# issues, one per line: path:line:col: message (linter). A fresh analysis
# cache per script run: nothing from an older build of the plugin is reused.
# No caps on repeated issues (max-same-issues defaults to 3): the checks see
# every issue.
lint() {
	local cfg=$1
	shift
	set +e
	(cd "$fixture" && GOLANGCI_LINT_CACHE="$work/gcl-cache" "$gcl" run -c "$cfg" \
		--max-same-issues=0 --max-issues-per-linter=0 \
		--output.text.print-issued-lines=false --output.text.colors=false --show-stats=false "$@") >"$out" 2>"$out.err"
	rc=$?
	set -e
	sed 's/^/     | /' "$out"
}
# expect_rc N WHAT
expect_rc() {
	[[ $rc == "$1" ]] || {
		cat "$out.err" >&2
		fail "$2: exit code $rc, want $1"
	}
}
# count LINTER LINE-NAME: the issues of LINTER on the marked line of rst.go.
count() { grep -cE "^rst/rst\.go:$(line "$2"):[0-9]+: .* \($1\)\$" "$out" || true; }
# expect LINTER LINE-NAME N WHAT
expect() {
	local n
	n=$(count "$1" "$2")
	[[ $n == "$3" ]] || fail "$4: $n $1 issue(s) on line:$2 (rst.go:$(line "$2")), want $3"
	ok "$4"
}

step "run 1: the documented .golangci.yml (rstlint only, default settings)"
base_settings='          reject: true
          halfclose: true
          linger: true
          proxy: true
          eoflost: true
          drain: []
          gracefulclose: []'
config "$fixture/.golangci.yml" rstlint "$base_settings" 'issues:
  uniq-by-line: false'
doc_has "$fixture/.golangci.yml"
lint .golangci.yml ./...
expect_rc 1 "run 1"
expect rstlint unread 1 "unread-close reported on line:unread"
grep -qE "^rst/rst\.go:$(line unread):[0-9]+: conn c is closed with input never read: .* \(conn passed in at rst\.go:[0-9]+\) \(rstlint\)$" "$out" ||
	fail "line:unread: not the unread-close message"
ok "line:unread has the unread-close message"
expect rstlint halfclose 1 "halfclose-undrained reported on line:halfclose"
grep -qE "^rst/rst\.go:$(line halfclose):[0-9]+: .*closed after CloseWrite with input unread" "$out" ||
	fail "line:halfclose: not the halfclose-undrained message"
expect rstlint linger 1 "linger-zero reported on line:linger"
grep -qE "^rst/rst\.go:$(line linger):[0-9]+: .*closed after SetLinger\(0\)" "$out" ||
	fail "line:linger: not the linger-zero message"
expect rstlint nolint 0 "//nolint:rstlint honoured on line:nolint"
expect rstlint graceful 0 "no report on the graceful close"
grep -qE '^seed/main\.go:[0-9]+:[0-9]+: conn accepted at main\.go:[0-9]+ is closed with input never read: .* \(conn accepted at main\.go:[0-9]+\) \(rstlint\)$' "$out" ||
	fail "the README's seed diagnostic is missing"
ok "the README's diagnostic on seed/main.go (copy of example/seed)"
# golangci-lint would make each related position of a diagnostic an issue
# of its own, which //nolint on the Close does not cover; the plugin moves
# them into the message instead (checked above: "(conn accepted at ...)").
grep -q 'related information' "$out" && fail "run 1: related information reported as issues"
ok "no '(related information)' issues: //nolint:rstlint silences the whole report"
[[ $(grep -c . "$out") == 4 ]] || fail "run 1: $(grep -c . "$out") issues, want 4"
ok "run 1: exactly 4 issues, all from rstlint"

step "run 2: settings linger: false"
config "$fixture/linger-off.yml" rstlint '          linger: false'
lint linger-off.yml ./rst/...
expect_rc 1 "run 2"
expect rstlint linger 0 "linger: false silences linger-zero"
expect rstlint halfclose 1 "halfclose-undrained still reported"
expect rstlint unread 1 "unread-close still reported"

step "run 3: settings halfclose: false"
config "$fixture/halfclose-off.yml" rstlint '          halfclose: false'
lint halfclose-off.yml ./rst/...
expect_rc 1 "run 3"
expect rstlint halfclose 0 "halfclose: false silences halfclose-undrained"
expect rstlint linger 1 "linger-zero still reported"
expect rstlint unread 1 "unread-close still reported"

step "run 4: an unknown settings key"
config "$fixture/typo.yml" rstlint '          half-close: false'
lint typo.yml ./rst/...
[[ $rc != 0 && $rc != 1 ]] || fail "run 4: exit code $rc, want a configuration error"
grep -q 'unknown field "half-close"' "$out.err" || {
	cat "$out.err" >&2
	fail "run 4: no error naming the unknown key"
}
ok "unknown key half-close is an error (exit $rc): $(grep -o 'plugin(rstlint).*' "$out.err" | head -1)"

step "run 5: rstlint and errcheck, issues.uniq-by-line left at its default (true)"
config "$fixture/uniq-default.yml" "rstlint errcheck" "$base_settings"
lint uniq-default.yml ./rst/...
expect_rc 1 "run 5"
n=$(($(count rstlint unread) + $(count errcheck unread)))
[[ $n == 1 ]] || fail "run 5: $n issues on line:unread, want 1 (uniq-by-line keeps one per line)"
ok "default uniq-by-line: one issue of the two on line:unread ($(grep -oE '\((rstlint|errcheck)\)$' <(grep -E "^rst/rst\.go:$(line unread):" "$out")))"

step "run 6: rstlint and errcheck, issues.uniq-by-line: false"
config "$fixture/uniq-false.yml" "rstlint errcheck" "$base_settings" 'issues:
  uniq-by-line: false'
lint uniq-false.yml ./rst/...
expect_rc 1 "run 6"
expect rstlint unread 1 "uniq-by-line: false: rstlint on line:unread"
expect errcheck unread 1 "uniq-by-line: false: errcheck on line:unread too"

step "run 7: the command docs/integrations.md gives golangci-lint-langserver"
# The language server runs this command and reads golangci-lint's JSON.
set +e
(cd "$fixture" && GOLANGCI_LINT_CACHE="$work/gcl-cache" "$gcl" run --output.json.path stdout --show-stats=false --issues-exit-code=1 ./rst/...) >"$out.json" 2>"$out.err"
rc=$?
set -e
expect_rc 1 "run 7"
n=$(grep -o '"FromLinter":"rstlint"' "$out.json" | wc -l)
[[ $n == 3 ]] || fail "run 7: $n rstlint issues in the JSON, want 3"
ok "custom-gcl run --output.json.path stdout: JSON with the 3 rstlint issues of rst/"

step "run 8: --fix applies rstlint's suggested fix (last: it edits the fixture)"
lint .golangci.yml --fix ./rst/...
grep -q 'cw.CloseWrite() // FIN after our data' "$fixture/rst/rst.go" || fail "run 8: Unread was not rewritten"
(cd "$fixture" && go vet ./rst/) || fail "run 8: the fixed code does not build"
ok "--fix rewrote Unread's close into CloseWrite, bounded drain, Close; it builds"
lint .golangci.yml ./rst/...
expect rstlint unread 0 "after --fix, nothing reported on line:unread"

step "run 9: errcheck beside rstlint on the fixed code"
# The fix must not trade one finding for others: every error it leaves
# unchecked is discarded with _, which errcheck accepts. Before the fix,
# errcheck reported line:unread's bare Close (run 6); now rst/ is clean.
lint uniq-false.yml ./rst/...
[[ $(grep -c '(errcheck)$' "$out") == 0 ]] || fail "run 9: errcheck reports the fixed code"
ok "errcheck reports nothing on the fixed rst/"
expect rstlint unread 0 "rstlint reports nothing on the fixed line:unread either"

printf '\ngolangci: all checks passed (%ds)\n' $((SECONDS - start))
