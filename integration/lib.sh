# Shared by the integration proofs: a work directory removed on exit
# (kept with RSTLINT_KEEP_WORK=1), and step/ok/fail reporting.
# Source it after setting `label`; it sets `root` and `work`.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/rstlint-$label.XXXXXX")
cleanup() {
	if [[ -n ${RSTLINT_KEEP_WORK:-} ]]; then
		echo "kept $work"
	else
		# The module cache copy is read-only; make it removable first.
		chmod -R u+w "$work" 2>/dev/null || true
		rm -rf "$work"
	fi
}
trap cleanup EXIT

start=$SECONDS
step() { printf '\n== %s: %s (+%ds)\n' "$label" "$1" $((SECONDS - start)); }
ok() { printf 'ok   %s\n' "$1"; }
fail() {
	printf 'FAIL %s\n' "$1" >&2
	exit 1
}
