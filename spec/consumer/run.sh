#!/usr/bin/env bash
# The published package as a consumer gets it (npm run test:consumer; .ci/run):
#   npm pack (prepack: tsc -p tsconfig.pack.json -> dist/) -> npm install <tarball> --omit=dev in a fresh
#   project under /tmp -> plain node (import, require()), tsx, the consumer's own tsc, esbuild bundles.
# The Linux cells run here; the Windows cells (node.exe under Wine, simulated virtdisk.dll) in
# spec/windows/consumer.sh, called at the end with the same tarball.
#
#   bash spec/consumer/run.sh                Linux cells, then the Windows cells
#   bash spec/consumer/run.sh --linux-only   Linux cells only (no Wine needed)
#
# Knobs: VIRTDISK_CONSUMER_KEEP=1 keeps the consumer directories under /tmp (their path is printed).
# npm runs offline from its cache when it can (--prefer-offline): the tools the consumer installs are the
# versions in the repository's own node_modules.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CELLS=$REPO/spec/consumer/cells
TYPED=$REPO/spec/consumer/.typed   # dot directory: the repository's own tsc skips it

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $(( t / 1000 )); }
fmt_s() { local ms=$1; printf '%d.%01ds' $(( ms / 1000 )) $(( (ms % 1000) / 100 )); }
T0=$(now_ms)
say() { echo "[consumer] $*"; }

LINUX_ONLY=
[ "${1:-}" = "--linux-only" ] && LINUX_ONLY=1

WORK=$(mktemp -d /tmp/virtdisk-consumer.XXXXXX)
HIDDEN=()   # directories moved aside by a cell, put back on exit whatever happens
BG=()       # cells running in the background: "pid|start ms|log|name"
cleanup() {
  local rc=$? pair entry
  for entry in "${BG[@]}"; do kill "${entry%%|*}" 2>/dev/null; done   # cells still running (interrupted)
  for pair in "${HIDDEN[@]}"; do mv "${pair#*|}" "${pair%%|*}" 2>/dev/null; done
  if [ -n "${VIRTDISK_CONSUMER_KEEP:-}" ]; then say "kept $WORK"; else rm -rf "$WORK"; fi
  say "wall time $(fmt_s $(( $(now_ms) - T0 ))) (exit $rc)"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

NPM=(--prefer-offline --no-audit --no-fund --loglevel=error)
RESULTS=() FAILED=0 N=0
# record <name> <exit code> <log> <start ms>: shows the log, records PASS/FAIL.
record() {
  sed 's/^/      /' "$3"
  if [ "$2" -eq 0 ]; then RESULTS+=("PASS  $1"); else RESULTS+=("FAIL  $1 (exit $2)"); FAILED=$((FAILED + 1)); fi
  echo "${RESULTS[-1]}  ($(fmt_s $(( $(now_ms) - $4 ))))"
}
# cell <name> <command...>: runs the command (from the current directory) and records it.
cell() {
  local name=$1 t rc=0 log=$WORK/cell.$((++N)).log; shift
  t=$(now_ms)
  "$@" >"$log" 2>&1 || rc=$?
  record "$name" $rc "$log" "$t"
}
# cell_bg <name> <command...> starts a cell in the background; cells_wait records them all, in order.
cell_bg() {
  local name=$1 log=$WORK/cell.$((++N)).log; shift
  "$@" >"$log" 2>&1 &
  BG+=("$!|$(now_ms)|$log|$name")
}
cells_wait() {
  local entry pid t log name rc
  for entry in "${BG[@]}"; do
    IFS='|' read -r pid t log name <<<"$entry"
    rc=0; wait "$pid" || rc=$?
    record "$name" $rc "$log" "$t"
  done
  BG=()
}
# info <name> <command...>: like cell, but a failure is reported, not counted (findings, not gates).
info() {
  local name=$1 rc=0 log=$WORK/cell.$((++N)).log; shift
  "$@" >"$log" 2>&1 || rc=$?
  sed 's/^/      /' "$log"
  if [ $rc -eq 0 ]; then RESULTS+=("PASS  $name"); else RESULTS+=("INFO  $name: fails ($(grep -c 'error TS' "$log") TypeScript errors, listed above; not a gate)"); fi
  echo "${RESULTS[-1]}"
}
hide() { mv "$1" "$1.hidden" && HIDDEN+=("$1|$1.hidden"); }
unhide() { mv "$1.hidden" "$1" && unset 'HIDDEN[-1]'; }
version_of() { node -p "require('$REPO/node_modules/$1/package.json').version"; }

# ------------------------------------------------------------------ the tarball
say "npm pack (prepack: tsc -p tsconfig.pack.json)"
pack() {
  (cd "$REPO" && npm pack --pack-destination "$WORK" --loglevel=error) || return 1
  TGZ=$(ls "$WORK"/virtdisk-*.tgz 2>/dev/null | head -1)
  [ -n "$TGZ" ] || { echo "no tarball in $WORK"; return 1; }
  [ ! -e "$REPO/dist" ] || { echo "postpack left $REPO/dist behind"; return 1; }
}
TGZ=
cell "npm pack: prepack builds dist/, postpack removes it" pack
[ -n "$TGZ" ] || { say "no tarball: stopping"; exit 1; }

tarball_contents() {
  local list; list=$(tar -tzf "$TGZ" | sed 's|^package/||' | sort)
  local missing=() extra f
  for f in package.json LICENSE README.md dist/{lib,ffi,types}/index.{js,d.ts} dist/bin/vdisk.js; do
    grep -qx "$f" <<<"$list" || missing+=("$f")
  done
  for f in $(grep '\.js$' <<<"$list"); do grep -qx "${f%.js}.d.ts" <<<"$list" || missing+=("${f%.js}.d.ts"); done
  extra=$(grep -vE '^(package\.json|LICENSE|README\.md|dist/(lib|ffi|types|bin)/([a-z0-9-]+/)*[a-z0-9-]+\.(js|d\.ts))$' <<<"$list")
  echo "$(wc -l <<<"$list") files: $(grep -c '\.js$' <<<"$list") .js, $(grep -c '\.d\.ts$' <<<"$list") .d.ts"
  [ ${#missing[@]} -eq 0 ] || echo "missing: ${missing[*]}"
  [ -z "$extra" ] || echo "not expected in the tarball: $extra"
  [ ${#missing[@]} -eq 0 ] && [ -z "$extra" ]
}
cell "tarball: dist/{lib,ffi,types,bin} .js + .d.ts, package.json, LICENSE, README.md; no .ts sources, specs, configs" tarball_contents

mkdir -p "$WORK/unpacked" && tar -xzf "$TGZ" -C "$WORK/unpacked"
cell "tarball: each dist .js is its .ts source with the types erased" \
  node --import tsx "$REPO/spec/consumer/types-erased.ts" "$WORK/unpacked/package" "$REPO"

# ------------------------------------------------------------------ a fresh consumer: production install
C=$WORK/linux
mkdir -p "$C"
cat >"$C/package.json" <<'JSON'
{
  "name": "virtdisk-consumer",
  "private": true,
  "allowScripts": { "koffi": false, "esbuild": false }
}
JSON
cd "$C"
prod_install() {
  npm install "${NPM[@]}" --omit=dev --strict-allow-scripts "$TGZ" || return 1
  local tree; tree=$(npm ls --all --omit=dev --parseable 2>/dev/null | sed "s|^$C/\?||" | grep . | sort)
  echo "installed: $(tr '\n' ' ' <<<"$tree")"
  # koffi and its linux-x64 binary; the CLI's commander and cli-progress (with string-width's four)
  [ "$(tr '\n' ' ' <<<"$tree")" = "node_modules/@koromix/koffi-linux-x64 node_modules/ansi-regex node_modules/cli-progress node_modules/commander node_modules/emoji-regex node_modules/is-fullwidth-code-point node_modules/koffi node_modules/string-width node_modules/strip-ansi node_modules/virtdisk " ]
}
cell "npm install <tarball> --omit=dev --strict-allow-scripts: only virtdisk, koffi (+ linux-x64 binary), commander, cli-progress (+ deps)" prod_install
cp "$CELLS"/*.mjs "$CELLS"/*.cjs "$C/"

cell "plain node, ESM: import 'virtdisk' (+ /ffi, /types, /package.json)" node run-cells.mjs esm.mjs
cell "plain node, CJS: require('virtdisk') (+ /ffi, /types, /package.json)" node run-cells.mjs cjs.cjs
no_native() {
  hide node_modules/@koromix || return 1
  local rc=0
  node run-cells.mjs no-native.mjs || rc=$?
  unhide node_modules/@koromix
  return $rc
}
cell "plain node, koffi's native module absent: import + check* work, calls reject with ERR_UNSUPPORTED_PLATFORM" no_native

# ------------------------------------------------------------------ the vdisk command, as npx runs it
# expect_run <exit code> <output pattern> <command...>: the command's exit code and stdout+stderr.
expect_run() {
  local want=$1 pattern=$2 out rc=0; shift 2
  out=$("$@" 2>&1) || rc=$?
  printf '%s\n' "$out" | head -n 12
  [ "$rc" -eq "$want" ] || { echo "exit code $rc, expected $want: $*"; return 1; }
  grep -qE -- "$pattern" <<<"$out" || { echo "output does not match /$pattern/: $*"; return 1; }
}
cli_linux() {
  expect_run 0 "^$(node -p "require('$REPO/package.json').version")\$" npx --no-install vdisk --version || return 1
  expect_run 0 'virtdisk.dll!OpenVirtualDisk' npx --no-install vdisk attach ./disk.vhdx --dry-run || return 1
  expect_run 0 '"function": "CreateVirtualDisk"' npx --no-install vdisk explain create ./new.vhdx --size 64GiB --json || return 1
  expect_run 2 'code: ERR_UNSUPPORTED_PLATFORM' npx --no-install vdisk attach ./disk.vhdx || return 1
  expect_run 2 '"code": "ERROR_INVALID_PARAMETER"' npx --no-install vdisk create ./tiny.vhdx --size 1MB --dry-run --json || return 1
  expect_run 0 'virtdisk.dll!CompactVirtualDisk' node node_modules/virtdisk/dist/bin/vdisk.js compact ./disk.vhdx --dry-run
}
cell "npx vdisk: --version, attach ./disk.vhdx --dry-run, explain, ERR_UNSUPPORTED_PLATFORM (exit 2) without --dry-run, a rule (exit 2); plain node dist/bin/vdisk.js" cli_linux
cli_no_native() {
  hide node_modules/@koromix || return 1
  local rc=0
  expect_run 0 'virtdisk.dll!AttachVirtualDisk' npx --no-install vdisk attach ./disk.vhdx --read-only --dry-run || rc=$?
  unhide node_modules/@koromix
  return $rc
}
cell "npx vdisk … --dry-run with koffi's native module absent" cli_no_native

# ------------------------------------------------------------------ the consumer's own dev tools
dev_install() {
  npm install "${NPM[@]}" --save-dev --strict-allow-scripts \
    "typescript@$(version_of typescript)" "@types/node@$(version_of @types/node)" "tsx@$(version_of tsx)"
}
cell "npm install -D typescript @types/node tsx (the consumer's own)" dev_install
cp "$TYPED"/* "$C/"

# the two type checks take a while (skipLibCheck false: all of @types/node too): side by side, with the rest
cell_bg "tsc --noEmit, module/moduleResolution nodenext (app.mts, app.cts, types-only.mts; strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess, skipLibCheck false)" \
  node_modules/.bin/tsc -p tsconfig.nodenext.json
cell_bg "tsc --noEmit, module esnext + moduleResolution bundler (app.mts, types-only.mts; same flags)" \
  node_modules/.bin/tsc -p tsconfig.bundler.json
cell "tsx: node_modules/.bin/tsx app.mts" node_modules/.bin/tsx app.mts

bundle() { # <esm|cjs> <outfile>
  node_modules/.bin/esbuild bundle-entry.mjs --bundle --platform=node --format="$1" --external:koffi \
    --define:VIRTDISK_BUNDLE_FORMAT="\"$1\"" --outfile="$2" --log-level=warning || return 1
  if grep -nE '(from |import\(|require\()"virtdisk' "$2"; then echo "$2 still loads virtdisk from node_modules"; return 1; fi
  node run-cells.mjs "$2"
}
cell "esbuild --bundle --format=esm --external:koffi, then plain node" bundle esm bundle/app.mjs
cell "esbuild --bundle --format=cjs --external:koffi, then plain node" bundle cjs bundle/app.cjs
# A one-file ESM bundle hoists `import koffi from "koffi"` to its top (koffi loads at start-up); with
# --splitting the raw layer is a chunk of its own, imported on the first call into Windows, as unbundled.
split_bundle() {
  node_modules/.bin/esbuild no-native.mjs --bundle --splitting --platform=node --format=esm --external:koffi \
    --outdir=bundle-split --out-extension:.js=.mjs --log-level=warning || return 1
  hide node_modules/@koromix || return 1
  local rc=0
  node run-cells.mjs bundle-split/no-native.mjs || rc=$?
  unhide node_modules/@koromix
  return $rc
}
cell "esbuild --bundle --splitting --format=esm --external:koffi: koffi stays lazy (runs with koffi's native module absent)" split_bundle
cells_wait

without_node_types() { # <tsconfig>
  hide node_modules/@types/node || return 1
  local rc=0
  node_modules/.bin/tsc -p "$1" || rc=$?
  unhide node_modules/@types/node
  return $rc
}
info "tsc --noEmit without @types/node, nodenext (types-only.mts, lib es2023)" without_node_types tsconfig.nodenext.no-node-types.json
info "tsc --noEmit without @types/node, bundler (types-only.mts, lib es2023)" without_node_types tsconfig.bundler.no-node-types.json
cd "$REPO"

# ------------------------------------------------------------------ Windows: node.exe under Wine
if [ -z "$LINUX_ONLY" ]; then
  say "Windows cells: spec/windows/consumer.sh (node.exe under Wine, simulated virtdisk.dll)"
  windows_cells() { bash "$REPO/spec/windows/consumer.sh" --tarball "$TGZ"; }
  t=$(now_ms)
  rc=0
  windows_cells || rc=$?
  if [ $rc -eq 0 ]; then RESULTS+=("PASS  Windows node.exe cells (spec/windows/consumer.sh)")
  else RESULTS+=("FAIL  Windows node.exe cells (spec/windows/consumer.sh, exit $rc)"); FAILED=$((FAILED + 1)); fi
  echo "${RESULTS[-1]}  ($(fmt_s $(( $(now_ms) - t ))))"
fi

echo
say "summary ($(node --version) on $(uname -sm); tarball $(basename "$TGZ")):"
printf '  %s\n' "${RESULTS[@]}"
if [ $FAILED -gt 0 ]; then say "FAILED: $FAILED"; exit 1; fi
say "all passed"
