#!/usr/bin/env bash
# Cost where users run rstlint: standalone, in golangci-lint, in gopls,
# each beside nilness run the same way (bench/cmd/costbench has the method).
#
#   bench/cost.sh                          # standalone on tiny and std, 3 rounds
#   bench/cost.sh -rounds 1 tiny           # CI smoke
#   bench/cost.sh -integrations tiny DIR…  # also golangci-lint and gopls
#                                          # (built by integration/*.sh, a few minutes)
#
# Targets: tiny (a 7-line net/http program), std (standalone only), or
# module folders. Needs Go and the Go module proxy.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

rounds=3 integrations=false targets=()
while (($#)); do
	case "$1" in
	-rounds) rounds=$2; shift ;;
	-integrations) integrations=true ;;
	-h | --help) sed -n '2,/^set/{/^#/s/^# \{0,1\}//p;}' "${BASH_SOURCE[0]}"; exit 0 ;;
	*) targets+=("$(cd "$1" 2>/dev/null && pwd || echo "$1")") ;;
	esac
	shift
done
((${#targets[@]})) || targets=(tiny std)

bin=$(mktemp -d "${TMPDIR:-/tmp}/costbench.XXXXXX")
trap 'chmod -R u+w "$bin"; rm -rf "$bin"' EXIT
go build -o "$bin/rstlint" ./cmd/rstlint
go build -o "$bin/nilness" ./bench/nilnessvet
go build -o "$bin/costbench" ./bench/cmd/costbench
extra=()
if $integrations; then
	RSTLINT_GCL_OUT="$bin/custom-gcl" bash integration/golangci.sh >"$bin/golangci.log" 2>&1 ||
		{ tail -20 "$bin/golangci.log"; exit 1; }
	RSTLINT_GOPLS_OUT="$bin/gopls-rstlint" bash integration/gopls.sh >"$bin/gopls.log" 2>&1 ||
		{ tail -20 "$bin/gopls.log"; exit 1; }
	gopls_version=$(sed -n 's/^gopls_version=\${1:-\(v[^}]*\)}$/\1/p' integration/gopls.sh)
	GOBIN="$bin/stock" go install "golang.org/x/tools/gopls@$gopls_version"
	extra=(-gcl "$bin/custom-gcl" -gopls "$bin/gopls-rstlint" -gopls-stock "$bin/stock/gopls")
fi
"$bin/costbench" -rstlint "$bin/rstlint" -nilness "$bin/nilness" -rounds "$rounds" "${extra[@]}" "${targets[@]}"
