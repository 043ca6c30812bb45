#!/usr/bin/env bash
# integration/gopls.sh [gopls version, default v0.23.0] [toolchain, e.g. go1.27.4]
#
# Proves rstlint's diagnostics in editors through gopls. Upstream gopls has
# no way to load a third-party analyzer, so this builds a gopls with rstlint
# in its analyzer list (the recipe of docs/integrations.md) and checks that
# `gopls check` reports on a fixture module what the rstlint command
# reports there.
#
# The recipe: take golang.org/x/tools/gopls at the version from the Go
# module proxy, copy it somewhere writable, add rstlint to the list in
# internal/settings/analysis.go with integration/goplspatch (a small go/ast
# edit of ours; no gopls source is kept in this repository), require and
# replace github.com/rstlint/rstlint with this checkout, go mod tidy, go
# build. gopls v0.24.0 needs Go 1.27: pass a toolchain (go1.27.4), which the
# go command fetches from the module proxy.
#
# Needs go and the Go module proxy. Runnable from anywhere. Prints each
# check; exits non-zero on the first failure. RSTLINT_KEEP_WORK=1 keeps the
# temporary directory; RSTLINT_GOPLS_OUT=/path/to/gopls copies the proven
# gopls there.
set -euo pipefail

gopls_version=${1:-v0.23.0}
toolchain=${2:-}

label=gopls
# shellcheck source=integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The toolchain of the go commands that handle gopls' module: the one
# given, else the local go (the go command refuses a module that needs a
# newer one: "requires go >= 1.27.0").
gopls_env=()
if [[ -n $toolchain ]]; then gopls_env=(GOTOOLCHAIN="$toolchain"); fi

step "gopls $gopls_version source from the module proxy"
dl=$(env "${gopls_env[@]}" go mod download -json "golang.org/x/tools/gopls@$gopls_version" || true)
src=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$dl")
if [[ ! -d $src ]]; then
	echo "$dl" >&2
	fail "no source for gopls@$gopls_version (a newer Go? pass a toolchain: bash $0 $gopls_version go1.27.4)"
fi
gopls_src="$work/gopls"
cp -r "$src" "$gopls_src"
chmod -R u+w "$gopls_src"
echo "gopls $gopls_version: go.mod says go $(sed -n 's/^go //p' "$gopls_src/go.mod"); building with $(env "${gopls_env[@]}" go env GOVERSION)"

step "add rstlint to gopls' analyzers (integration/goplspatch)"
(cd "$root" && go run ./integration/goplspatch "$gopls_src")
ok "internal/settings/analysis.go lists rstlint"

step "build gopls with rstlint from this checkout"
# What `go get` would do for a published rstlint, pointed at the checkout.
# MVS keeps gopls' own x/tools (newer than the v0.47.0 rstlint requires).
(
	cd "$gopls_src"
	go mod edit -require=github.com/rstlint/rstlint@v0.0.0-00010101000000-000000000000 \
		-replace=github.com/rstlint/rstlint="$root"
	env "${gopls_env[@]}" go mod tidy
	grep -E '^[[:space:]]*golang.org/x/tools v|rstlint' go.mod | sed 's/^[[:space:]]*/     go.mod: /'
	env "${gopls_env[@]}" go build -o "$work/bin/gopls" .
)
gopls="$work/bin/gopls"
"$gopls" version
ok "gopls built"

step "fixture module"
fixture="$work/fixture"
mkdir -p "$fixture/rst" "$fixture/seed"
cat >"$fixture/go.mod" <<'EOF'
module rstfixture

go 1.26
EOF
# A reported close, a linger-zero, a deliberate one (rstlint:ignore with a
# reason), and the fix: gopls must report the first two only.
cat >"$fixture/rst/rst.go" <<'EOF'
// Package rst is the gopls proof's fixture.
package rst

import (
	"fmt"
	"io"
	"net"
	"time"
)

// Unread answers and closes without reading the request.
func Unread(c net.Conn) {
	fmt.Fprintln(c, "hello")
	c.Close()
}

// Linger reads to EOF, then closes with SO_LINGER 0: a certain RST.
func Linger(c *net.TCPConn) {
	c.SetLinger(0)
	io.Copy(c, c)
	c.Close()
}

// Ignored is deliberate, and says so.
func Ignored(c *net.TCPConn) {
	c.SetLinger(0)
	io.Copy(c, c)
	//rstlint:ignore a load balancer health check: RST is wanted here
	c.Close()
}

// Graceful is the fix: FIN, bounded drain, Close.
func Graceful(c *net.TCPConn) {
	fmt.Fprintln(c, "bye")
	c.CloseWrite()
	c.SetReadDeadline(time.Now().Add(time.Second))
	io.Copy(io.Discard, io.LimitReader(c, 1<<20))
	c.Close()
}
EOF
# The README's example, as shipped.
cp "$root/example/seed/main.go" "$fixture/seed/main.go"
ok "rstfixture: rst/rst.go and seed/main.go (copy of example/seed)"

step "the rstlint command on the fixture (the reference)"
(cd "$root" && go build -o "$work/bin/rstlint" ./cmd/rstlint)
# file:line:col: message, one line per diagnostic (related lines, which the
# command indents with a tab, dropped, and the category the command's text
# adds at the end of each line); exit 3 means diagnostics.
(cd "$fixture" && "$work/bin/rstlint" ./... >"$work/want.raw" 2>&1) || [[ $? == 3 ]] ||
	fail "rstlint failed: $(cat "$work/want.raw")"
grep -v ': 	' "$work/want.raw" | sed -E "s|^$fixture/||; s/ \([a-z]+(-[a-z]+)*\)\$//" | sort >"$work/want"
sed 's/^/     | /' "$work/want"
[[ $(wc -l <"$work/want") == 3 ]] || fail "rstlint: $(wc -l <"$work/want") diagnostics, want 3 (Unread, Linger, seed)"

step "gopls check on each fixture file"
# A cache of its own: no analysis results from another gopls build.
export GOPLSCACHE="$work/goplscache"
: >"$work/got.raw"
for f in rst/rst.go seed/main.go; do
	(cd "$fixture" && "$gopls" check "$f") >>"$work/got.raw"
done
sed 's/^/     | /' "$work/got.raw"
# gopls prints file:line:col-endcol: message, then related information as
# "- message" lines; keep the diagnostics, in the command's form.
grep -v ': - ' "$work/got.raw" | sed -E "s|^$fixture/||; s|^([^:]+:[0-9]+:[0-9]+)(-[0-9:]+)?: |\1: |" | sort >"$work/got"

want_line() { grep -qxF "$1" "$work/got" || fail "gopls check does not report: $1"; }
while IFS= read -r d; do want_line "$d"; done <"$work/want"
ok "gopls reports each of the command's 3 diagnostics, same position and message"
diff "$work/want" "$work/got" >/dev/null || fail "gopls reports more than the command: $(diff "$work/want" "$work/got")"
ok "and nothing else: not the //rstlint:ignore'd close, not the graceful one"
grep -qE '^seed/main\.go:[0-9]+:[0-9]+: conn accepted at main\.go:[0-9]+ is closed with input never read: ' "$work/got" ||
	fail "the README's seed diagnostic is missing"
ok "the README's diagnostic on seed/main.go (copy of example/seed): $(grep -oE '^seed/main\.go:[0-9]+:[0-9]+' "$work/got")"
grep -qE "^$fixture/seed/main\.go:[0-9]+:[0-9]+(-[0-9]+)?: - conn accepted: net\.Listener\.Accept" "$work/got.raw" ||
	fail "gopls shows no related information for the seed diagnostic"
ok "related information (where the conn was accepted) reaches the editor"

if [[ -n ${RSTLINT_GOPLS_OUT:-} ]]; then
	# The proven binary, for an editor (docs/integrations.md).
	cp "$gopls" "$RSTLINT_GOPLS_OUT"
	ok "copied this gopls to $RSTLINT_GOPLS_OUT"
fi

printf '\ngopls: all checks passed (%ds)\n' $((SECONDS - start))
