#!/usr/bin/env bash
# get.sh: materialise the evaluation corpus (eval/projects.tsv) under a folder,
# one module per sub-folder, ready for eval/survey.sh.
#
# Usage:
#   eval/get.sh [--list FILE] [--only DIR] [--mirror DIR] [--prune] ROOT
#
#   ROOT          the folder to fill; each project goes to ROOT/<dir> (column dir)
#   --list FILE   the project table (default: projects.tsv beside this script)
#   --only DIR    materialise only the project whose dir column is DIR (repeatable)
#   --mirror DIR  take git projects from local snapshots DIR/<owner>+<name>/repo
#                 (a git directory, or a clone whose .git is inside) instead
#                 of cloning https://github.com/<owner>/<name>
#   --prune       remove the folders of ROOT that get.sh made (they have an
#                 .eval-source) for projects no longer in the table; without
#                 it they are only listed (eval/survey.sh would survey them)
#
# The table is TSV with a header: set, module, version, source, dir, note.
#   source proxy:     GOFLAGS=-mod=mod go mod download -json module@version,
#                     then the module's Dir is copied and made writable
#   source git:URL:   git clone URL (or the mirror), then the commit named in
#                     version is exported as a plain tree (no .git); folders
#                     with a go.mod of their own are left out, as in a module zip
# A module without a go.mod upstream gets a minimal one (go mod init with its
# module path, then go mod tidy); the few trees that lack a generated file get
# a placeholder (function fixup below). Each project folder records what it holds in
# ROOT/<dir>/.eval-source; a folder whose record matches is left as it is, so
# running get.sh again only fetches what is missing or changed. A folder that
# exists without such a record is not touched: get.sh stops with an error.
#
# Needs bash, go, git, tar and the usual POSIX tools; the module proxy (and,
# without --mirror, github.com) must be reachable.

set -euo pipefail

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }
die() { echo "get.sh: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
list=$here/projects.tsv mirror="" root="" only=() prune=0
while [ $# -gt 0 ]; do
	case "$1" in
	--list) [ $# -ge 2 ] || usage; list=$2; shift 2 ;;
	--mirror) [ $# -ge 2 ] || usage; mirror=$2; shift 2 ;;
	--only) [ $# -ge 2 ] || usage; only+=("$2"); shift 2 ;;
	--prune) prune=1; shift ;;
	-h|--help) usage ;;
	-*) echo "get.sh: unknown option $1" >&2; usage ;;
	*) [ -z "$root" ] || usage; root=$1; shift ;;
	esac
done
[ -n "$root" ] || usage
[ -f "$list" ] || die "no project table at $list"
if [ -n "$mirror" ]; then
	[ -d "$mirror" ] || die "--mirror $mirror is not a folder"
	mirror=$(cd "$mirror" && pwd)
fi
for tool in go git tar; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
mkdir -p "$root"
root=$(cd "$root" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/rstlint-get.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"' EXIT

# go commands run outside any module, so that no go.mod around ROOT interferes.
mkdir -p "$work/nomod"

# fetch_proxy MODULE VERSION DEST: copy the module from the module cache.
fetch_proxy() {
	local mod=$1 ver=$2 dest=$3 json dir err
	json=$(cd "$work/nomod" && GOFLAGS=-mod=mod go mod download -json "$mod@$ver" 2>&1) || true
	dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -1)
	if [ -z "$dir" ] || [ ! -d "$dir" ]; then
		err=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Error": "\(.*\)",\{0,1\}$/\1/p' | head -1)
		echo "get.sh: $mod@$ver: go mod download failed: ${err:-$json}" >&2
		return 1
	fi
	cp -r "$dir" "$dest"
	chmod -R u+w "$dest"
}

# fetch_git URL COMMIT DEST: clone URL (or its mirror) and export COMMIT.
fetch_git() {
	local url=$1 commit=$2 dest=$3 from slug clone
	from=$url
	if [ -n "$mirror" ]; then
		slug=${url#https://github.com/}; slug=${slug%.git}; slug=${slug%/}
		[ "$slug" != "$url" ] || { echo "get.sh: --mirror works only for https://github.com/ URLs, not $url" >&2; return 1; }
		from=$mirror/${slug/\//+}/repo
		[ -d "$from/.git" ] && from=$from/.git
		[ -d "$from" ] || { echo "get.sh: no mirror of $slug at $from" >&2; return 1; }
	fi
	clone=$work/clone
	rm -rf "$clone"
	git clone --quiet --no-checkout "$from" "$clone" ||
		{ echo "get.sh: git clone $from failed" >&2; return 1; }
	if ! git -C "$clone" cat-file -e "$commit^{commit}" 2>/dev/null; then
		# not reachable from the cloned refs: ask for the commit itself
		git -C "$clone" fetch --quiet origin "$commit" 2>/dev/null ||
			{ echo "get.sh: commit $commit is not in $from" >&2; return 1; }
	fi
	mkdir -p "$dest"
	git -C "$clone" archive --format=tar "$commit" | tar -x -C "$dest" ||
		{ echo "get.sh: git archive $commit of $from failed" >&2; return 1; }
	rm -rf "$clone"
	# As in a module zip from the proxy: folders that are modules of their own
	# (a go.mod below the root) are not part of this module.
	local sub
	while IFS= read -r sub; do
		echo "get.sh:   leaving out nested module ${sub#"$dest"/}" >&2
		rm -rf "$sub"
	done < <(find "$dest" -mindepth 2 -name go.mod -type f -printf '%h\n' | sort -r)
}

# add_gomod MODULE DEST: a minimal go.mod for a module that has none upstream.
add_gomod() {
	local mod=$1 dest=$2
	(cd "$dest" && go mod init "$mod" >/dev/null 2>&1 && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>"$work/tidy.err") || {
		echo "get.sh: $mod: go mod init/tidy failed:" >&2
		sed 's/^/get.sh:   /' "$work/tidy.err" >&2 || true
		return 1
	}
}

# fixup DIR DEST: the few projects whose tree needs a file that is not in it
# (say so in the project's note in the table).
fixup() {
	case "$1" in
	fatedier_frp)
		# web/frpc and web/frps embed dist/, the web UI built by npm, which is
		# not in git: an empty placeholder lets //go:embed dist compile.
		local w
		for w in frpc frps; do
			mkdir -p "$2/web/$w/dist"
			[ -e "$2/web/$w/dist/index.html" ] || : >"$2/web/$w/dist/index.html"
		done ;;
	esac
}

n=0 fetched=0 kept=0 failed=() listed=()
lineno=0
while IFS=$'\t' read -r set mod ver src dir note || [ -n "$set" ]; do
	lineno=$((lineno + 1))
	[ "$lineno" -gt 1 ] || continue                     # header
	case "$set" in ''|'#'*) continue ;; esac
	[ -n "$mod" ] && [ -n "$ver" ] && [ -n "$src" ] && [ -n "$dir" ] ||
		die "$list:$lineno: a row needs set, module, version, source and dir"
	case "$dir" in */*|.*) die "$list:$lineno: dir $dir must be a plain folder name" ;; esac
	if [ ${#only[@]} -gt 0 ]; then
		want=0
		for o in "${only[@]}"; do [ "$o" = "$dir" ] && want=1; done
		[ "$want" -eq 1 ] || continue
	fi
	listed+=("$dir")
	n=$((n + 1))
	dest=$root/$dir
	stamp="$set	$mod	$ver	$src"
	if [ -d "$dest" ]; then
		if [ -f "$dest/.eval-source" ] && [ "$(cat "$dest/.eval-source")" = "$stamp" ]; then
			kept=$((kept + 1))
			continue
		fi
		[ -f "$dest/.eval-source" ] ||
			die "$dest exists and was not made by get.sh (no .eval-source): move it away first"
		echo "get.sh: $dir: replacing ($(cut -f3,4 "$dest/.eval-source" | tr '\t' ' ') -> $ver $src)" >&2
		chmod -R u+w "$dest"; rm -rf "$dest"
	fi
	echo "get.sh: $dir: $mod@$ver ($src)" >&2
	tmp=$work/tree
	rm -rf "$tmp"
	ok=1
	case "$src" in
	proxy) fetch_proxy "$mod" "$ver" "$tmp" || ok=0 ;;
	git:*) fetch_git "${src#git:}" "$ver" "$tmp" || ok=0 ;;
	*) die "$list:$lineno: unknown source $src (proxy or git:URL)" ;;
	esac
	if [ "$ok" -eq 1 ] && [ ! -f "$tmp/go.mod" ]; then
		echo "get.sh: $dir: no go.mod upstream: adding one for $mod (go mod init, go mod tidy)" >&2
		add_gomod "$mod" "$tmp" || ok=0
	fi
	[ "$ok" -eq 0 ] || fixup "$dir" "$tmp"
	if [ "$ok" -eq 1 ]; then
		got=$(awk '$1 == "module" { gsub(/"/, "", $2); print $2; exit }' "$tmp/go.mod")
		[ "$got" = "$mod" ] || { echo "get.sh: $dir: go.mod names $got, the table says $mod" >&2; ok=0; }
	fi
	if [ "$ok" -eq 0 ]; then
		failed+=("$dir")
		rm -rf "$tmp"
		continue
	fi
	printf '%s\n' "$stamp" >"$tmp/.eval-source"
	mv "$tmp" "$dest"
	fetched=$((fetched + 1))
done <"$list"

[ "$n" -gt 0 ] || die "no project selected from $list"

# Folders made by get.sh for projects that are no longer in the table.
if [ ${#only[@]} -eq 0 ]; then
	for stale in "$root"/*/.eval-source; do
		[ -f "$stale" ] || continue
		sdir=$(basename "$(dirname "$stale")")
		keep=0
		for l in "${listed[@]}"; do [ "$l" = "$sdir" ] && keep=1; done
		[ "$keep" -eq 0 ] || continue
		if [ "$prune" -eq 1 ]; then
			echo "get.sh: $sdir: not in the table any more: removed" >&2
			chmod -R u+w "$root/$sdir"; rm -rf "${root:?}/$sdir"
		else
			echo "get.sh: $sdir: not in the table any more (--prune removes it)" >&2
		fi
	done
fi
echo "get.sh: $n projects: $fetched fetched, $kept already there, ${#failed[@]} failed" >&2
if [ ${#failed[@]} -gt 0 ]; then
	echo "get.sh: failed: ${failed[*]}" >&2
	exit 1
fi
