#!/usr/bin/env bash
# probe.sh: how much of the hand-read recall probe a survey flags.
#
# Usage:
#   eval/probe.sh [PROBE.tsv] SURVEY.tsv
#
# PROBE.tsv (default eval/probe.tsv) lists closes chosen by reading the
# code of the corpus (eval/projects.tsv), not rstlint's output: project
# folder, file, line, the category a conforming peer's reset falls in.
# SURVEY.tsv is what `eval/survey.sh --tsv` wrote over the same corpus.
# For each probe it prints "hit" (a diagnostic of that category at that
# line), "line" (a diagnostic of another category there) or "miss", then
# the totals.
set -euo pipefail
case $# in
1) probe=$(dirname "$0")/probe.tsv survey=$1 ;;
2) probe=$1 survey=$2 ;;
*) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
awk -F'\t' '
	FNR == 1 { next }
	NR == FNR { got[$2 "\t" $3] = got[$2 "\t" $3] " " $4; next }   # survey: dir, file:line, category
	{
		key = $2 "\t" $4 ":" $5; cats = got[key]
		verdict = "miss"
		if (cats != "") verdict = "line"
		if (index(cats " ", " " $7 " ") > 0) verdict = "hit"
		n[verdict]++; total++
		printf "%s\t%s\t%s:%s\t%s\t%s%s\n", $1, verdict, $4, $5, $7, $2, (cats != "" && verdict != "hit" ? "\t(got" cats ")" : "")
	}
	END { printf "probe: %d of %d hit at the right line with the right category, %d more at the right line, %d missed\n", n["hit"], total, n["line"], n["miss"] }
' "$survey" "$probe"
