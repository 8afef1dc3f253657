#!/usr/bin/env bash
# Builds the virtdisk.dll simulator with mingw-w64.
# Usage: bash build.sh <outdir>   ->  <outdir>/virtdisk.dll
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: bash $0 <outdir>" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$1
mkdir -p "$out"
CC=${CC:-x86_64-w64-mingw32-gcc}
command -v "$CC" >/dev/null 2>&1 || CC=x86_64-w64-mingw32-gcc-win32
"$CC" -std=c11 -O2 -Wall -Wextra -Werror -shared -static-libgcc -I"$here/../fakedisk" \
  -o "$out/virtdisk.dll" \
  "$here/virtdisk.c" "$here/lifecycle.c" "$here/meta.c" "$here/jsonbuf.c" "$here/sim_fakedisk.c" "$here/virtdisk.def" \
  -Wl,--kill-at -ladvapi32 -lkernel32
echo "built $out/virtdisk.dll"
