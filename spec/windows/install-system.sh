#!/usr/bin/env bash
# One-time system step for the Windows-under-Wine test tier (Debian 12 / Ubuntu, x86_64, as root or via sudo):
#   wine + wine64 (Wine 8.0 on Debian 12) and the mingw-w64 C compiler (builds the test DLLs).
# Non-interactive; returns at once when everything is already installed.
set -euo pipefail

PKGS=(wine wine64 gcc-mingw-w64-x86-64-win32)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "[install-system] already installed: ${PKGS[*]}"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "[install-system] must run as root (or with sudo available)" >&2; exit 1; }
  SUDO=(sudo)
fi

t0=$(date +%s)
echo "[install-system] installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null
echo "[install-system] done in $(( $(date +%s) - t0 ))s ($(/usr/lib/wine/wine64 --version 2>/dev/null || wine --version))"
