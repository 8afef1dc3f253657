#!/usr/bin/env bash
# The installed tarball on Windows' node.exe under Wine, against the simulated virtdisk.dll
# (spec/consumer/run.sh calls this; so does npm run bench).
#
#   bash spec/windows/consumer.sh [--tarball <virtdisk-x.y.z.tgz>]
#       a consumer project installed as on Windows (npm install --os=win32 --cpu=x64 --omit=dev <tarball>):
#       plain node.exe import, require(), and esbuild bundles (ESM, CJS; --external:koffi), each with a real
#       attach/detach cycle seen by the simulator; then the vdisk bin, every command in a node.exe of its own
#       (spec/windows/vdisk-wine.ts)
#   bash spec/windows/consumer.sh --bench [--tarball <tgz>] [bench args...]
#       bench/import-cost.ts: import + first call into Windows, installed tarball vs node --import tsx on the .ts
#
# Without --tarball it packs the working tree (npm pack runs prepack). node.exe runs through
# spec/windows/run.sh --exec, which installs the simulator, runs one wineserver, and logs to $WINE_HOME/logs/exec.log.
# Knobs: VIRTDISK_CONSUMER_KEEP=1 keeps the consumer directory under /tmp; the Wine knobs of run.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wine/env.sh"
T0=$(now_ms)
say() { echo "[windows consumer] $*"; }
die() { echo "[windows consumer] ERROR: $*" >&2; exit 1; }

MODE=cells TGZ=
while [ $# -gt 0 ]; do
  case $1 in
    --bench) MODE=bench; shift ;;
    --tarball) TGZ=$(realpath "$2"); shift 2 ;;
    *) break ;;
  esac
done
EXTRA=("$@")

WORK=$(mktemp -d /tmp/virtdisk-consumer-win32.XXXXXX)
cleanup() {
  local rc=$?
  if [ -n "${VIRTDISK_CONSUMER_KEEP:-}" ]; then say "kept $WORK"; else rm -rf "$WORK"; fi
  say "wall time $(fmt_s $(( $(now_ms) - T0 ))) (exit $rc)"
}
trap cleanup EXIT

wine_lock   # one user of the prefix at a time; run.sh and setup.sh below see it taken (VIRTDISK_WINE_LOCKED)
bash "$REPO/spec/windows/setup.sh" || die "setup failed"   # node.exe, and koffi's win32-x64 package in npm's cache
cd "$REPO"

if [ -z "$TGZ" ]; then
  say "npm pack (prepack: tsc -p tsconfig.pack.json)"
  npm pack --pack-destination "$WORK" --loglevel=error >/dev/null || die "npm pack failed"
  TGZ=$(ls "$WORK"/virtdisk-*.tgz | head -1)
fi
[ -f "$TGZ" ] || die "no tarball ($TGZ)"

# ------------------------------------------------------------------ the consumer, installed as on Windows x64
C=$WORK/consumer
mkdir -p "$C"
cat >"$C/package.json" <<'JSON'
{
  "name": "virtdisk-consumer-win32",
  "private": true,
  "allowScripts": { "koffi": false }
}
JSON
t=$(now_ms)
(cd "$C" && npm install --os=win32 --cpu=x64 --omit=dev --strict-allow-scripts --prefer-offline --no-audit --no-fund \
  --loglevel=error "$TGZ" >/dev/null) || die "npm install --os=win32 --cpu=x64 --omit=dev $TGZ failed"
[ -f "$C/node_modules/@koromix/koffi-win32-x64/package.json" ] || die "koffi's win32-x64 binary was not installed"
say "installed $(basename "$TGZ") as on Windows x64, production dependencies only ($(fmt_s $(( $(now_ms) - t ))))"
cp "$REPO"/spec/consumer/cells/*.mjs "$REPO"/spec/consumer/cells/*.cjs "$C/"

if [ "$MODE" = bench ]; then
  cp "$REPO/bench/import-cost-sample.mjs" "$C/"
  bash "$REPO/spec/windows/run.sh" --exec --import tsx bench/import-cost.ts "$(winpath "$C")" "${EXTRA[@]}"
  exit
fi

# esbuild bundles, built here with the repository's esbuild (the output is the same JavaScript for any OS)
for format in esm cjs; do
  out=bundle/app.$([ $format = esm ] && echo mjs || echo cjs)
  (cd "$C" && "$REPO/node_modules/.bin/esbuild" bundle-entry.mjs --bundle --platform=node --format=$format \
    --external:koffi --define:VIRTDISK_BUNDLE_FORMAT="\"$format\"" --outfile="$out" --log-level=warning) \
    || die "esbuild --format=$format failed"
done

RC=0
say "node.exe: import, require(), esbuild ESM + CJS bundles; each a fresh node.exe with an attach/detach cycle"
bash "$REPO/spec/windows/run.sh" --exec "$(winpath "$C/run-cells.mjs")" esm.mjs cjs.cjs bundle/app.mjs bundle/app.cjs || RC=1

say "vdisk: every command from the installed bin, each in a fresh node.exe, against the simulator (Ctrl-C as SIGINT)"
bash "$REPO/spec/windows/run.sh" --with-simulator node --import tsx "$REPO/spec/windows/vdisk-wine.ts" "$C" || RC=1
exit $RC
