#!/usr/bin/env bash
# Benchmark rstlint under "go vet" against the nilness-only baseline tool.
#
#   bench/std.sh                  # 3 rounds over std (~40 s a run on 2 idle cores, ~7 min in all)
#   bench/std.sh -rounds 5 cmd    # other patterns / round counts
#   bench/std.sh -quick           # CI smoke: 1 round over net/...
#   bench/std.sh -h               # all flags
#
# The work is done by bench/cmd/vetbench (see its doc comment for the
# method); this script only makes it runnable from any directory.
set -euo pipefail

# vetbench builds the tools by import path, which needs the module's
# directory as the working directory.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec go run ./bench/cmd/vetbench "$@"
