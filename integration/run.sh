#!/usr/bin/env bash
# integration/run.sh: both integration proofs, for CI (after the unit tests).
#
#   golangci.sh  golangci-lint v2.15.0 built with `golangci-lint custom` and
#                rstlint's module plugin, run on a fixture
#   gopls.sh     gopls v0.23.0 rebuilt with rstlint in its analyzer list,
#                `gopls check` on a fixture
#
# Both run even if the first fails, so one CI log shows both; the exit code
# is non-zero if either failed. Needs go, git and the Go module proxy.
# Timings on a 2-core machine: docs/integrations.md.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
failed=()
summary=()
for proof in golangci gopls; do
	t=$SECONDS
	if bash "$here/$proof.sh"; then
		summary+=("$proof: passed in $((SECONDS - t))s")
	else
		summary+=("$proof: FAILED after $((SECONDS - t))s")
		failed+=("$proof")
	fi
done

printf '\n== integration summary\n'
printf '%s\n' "${summary[@]}"
echo "integration: $((2 - ${#failed[@]})) passed, ${#failed[@]} failed"
((${#failed[@]} == 0))
