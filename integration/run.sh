#!/usr/bin/env bash
# integration/run.sh: both integration proofs, for CI (after the unit tests).
#
#   golangci.sh  golangci-lint v2.15.0 built with `golangci-lint custom` and
#                rstlint's module plugin, run on a fixture
#   gopls.sh     gopls rebuilt with rstlint in its analyzer list, `gopls
#                check` on a fixture: v0.23.0 with the local toolchain, and
#                v0.24.0 (what users of the current Go run) with the Go 1.27
#                toolchain the go command fetches from the module proxy
#
# All run even if one fails, so one CI log shows all; the exit code is
# non-zero if any failed. Needs go, git and the Go module proxy.
# Timings on a 2-core machine: docs/integrations.md.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
failed=()
summary=()
proofs=(
	"golangci"
	"gopls v0.23.0"
	"gopls v0.24.0 go1.27.4"
)
for proof in "${proofs[@]}"; do
	t=$SECONDS
	read -r -a argv <<<"$proof"
	if bash "$here/${argv[0]}.sh" "${argv[@]:1}"; then
		summary+=("$proof: passed in $((SECONDS - t))s")
	else
		summary+=("$proof: FAILED after $((SECONDS - t))s")
		failed+=("$proof")
	fi
done

printf '\n== integration summary\n'
printf '%s\n' "${summary[@]}"
echo "integration: $((${#proofs[@]} - ${#failed[@]})) passed, ${#failed[@]} failed"
((${#failed[@]} == 0))
