#!/usr/bin/env bash
# Install every Debian 12 package gradcap builds, tests and runs with.
# Idempotent: installs only what is missing; a no-op when all are present.
# Usage: deploy/install-deps.sh [--check]   (--check: list missing, exit 1 if any)
set -euo pipefail

# Build toolchain and the libraries of DESIGN.md §2.
PKGS=(
	build-essential cmake pkg-config clang libclang-rt-14-dev
	libuv1-dev libnng-dev libmbedtls-dev liblmdb-dev lmdb-utils libturbojpeg0-dev libjpeg-turbo-progs
	libsodium-dev libcamera-dev libdlib-dev libdlib-data libcbor-dev
	libinih-dev libexif-dev libfreexl-dev libzip-dev libexpat1-dev
	libxlsxwriter-dev libzbar-dev libcmocka-dev libcairo2-dev libfontconfig-dev
	libqrencode-dev
	libopencv-core-dev libopencv-imgproc-dev
	libcurl4-openssl-dev
	# tests and tools: independent verifiers, browser tests, test data
	minisign golang-go golang-golang-x-mod-dev chromium fonts-wqy-microhei
	python3 python3-xlwt zip unzip xxd iproute2 rsync imagemagick
	qrencode barcode poppler-utils
	# the student portal's TLS proxy (deploy/nginx/, tests/cli/portal_nginx.sh)
	nginx openssl
)

missing=()
for p in "${PKGS[@]}"; do
	# dpkg-query reports "install ok installed" only for a fully installed package
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
		missing+=("$p")
	fi
done

# npm: a machine may already carry node and npm from elsewhere (nodesource's
# nodejs conflicts with Debian's npm package); only the command matters.
if ! command -v npm >/dev/null 2>&1; then
	missing+=(npm)
fi

if [ "${1:-}" = "--check" ]; then
	if [ ${#missing[@]} -gt 0 ]; then
		echo "missing: ${missing[*]}"
		exit 1
	fi
	echo "all ${#PKGS[@]} packages present"
	exit 0
fi

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PKGS[@]} packages present"
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
