#!/usr/bin/env bash
# Fetches the real face photos the capture tests start from, out of Debian
# packages at test time (apt-get download + dpkg -x), checks each file by
# its SHA-256 (not by package version), and leaves JPEG copies in the cache:
#   grace_hopper.jpg  facedetect (public domain): glasses, lips closed,
#                     a cap and a flag behind
#   astronaut.jpg     python3-imageio (NASA): smile with teeth, busy
#   sh0r.jpg          cimg-examples: small greyscale frontal face, glasses
#   yawn.jpg          gramps: eyes closed, mouth open
#   aksel.jpg         gramps: old studio portrait
# Usage: tests/data/fetch.sh [CACHE_DIR]   (default $GC_TESTDATA_DIR or
# ~/.cache/gradcap-testdata). Prints the cache dir. Exit 0 when every file
# is there; 77 (skip) with a reason when the packages cannot be had.
set -euo pipefail
cache=${1:-${GC_TESTDATA_DIR:-$HOME/.cache/gradcap-testdata}}
mkdir -p "$cache"

# name | package | path inside the package | sha256 of that file
files=(
	"grace_hopper|facedetect|usr/share/doc/facedetect/examples/grace_hopper_512x512.jpg|ee9d775343587100"
	"astronaut|python3-imageio|usr/lib/python3/dist-packages/imageio/resources/images/astronaut.png|b6d8f15b9103f9f9"
	"sh0r|cimg-examples|usr/share/doc/cimg-dev/examples/img/sh0r.pgm|c4c238c4a4099d7f"
	"yawn|gramps|usr/share/doc/gramps/example/gramps/Gunnlaugur_Larusson_-_Yawn.jpg|7f9731f2647635ab"
	"aksel|gramps|usr/share/doc/gramps/example/gramps/654px-Aksel_Andersson.jpg|008db50ce49674f9"
)

need=()
for f in "${files[@]}"; do
	IFS='|' read -r name pkg path sum <<<"$f"
	[ -s "$cache/$name.jpg" ] || need+=("$f")
done
if [ ${#need[@]} -eq 0 ]; then
	echo "$cache"
	exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkgs=$(printf '%s\n' "${need[@]}" | cut -d'|' -f2 | sort -u)
if ! (cd "$work" && apt-get download $pkgs >/dev/null 2>&1); then
	echo "fetch.sh: cannot download $pkgs (no package source reachable)" >&2
	exit 77
fi
for deb in "$work"/*.deb; do
	dpkg -x "$deb" "$work/x"
done
for f in "${need[@]}"; do
	IFS='|' read -r name pkg path sum <<<"$f"
	src="$work/x/$path"
	if [ ! -f "$src" ]; then
		echo "fetch.sh: $pkg no longer ships $path" >&2
		exit 77
	fi
	got=$(sha256sum "$src" | cut -c1-16)
	if [ "$got" != "$sum" ]; then
		echo "fetch.sh: $path from $pkg has SHA-256 $got..., expected $sum..." >&2
		exit 77
	fi
	case "$src" in
	*.jpg) cp "$src" "$cache/$name.jpg.tmp" ;;
	*) convert "$src" -quality 95 "jpg:$cache/$name.jpg.tmp" ;;
	esac
	mv "$cache/$name.jpg.tmp" "$cache/$name.jpg"
done
echo "$cache"
