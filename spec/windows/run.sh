#!/usr/bin/env bash
# The Windows test tier, run under Wine on Linux (npm run test:windows / npm run bench).
#
#   bash spec/windows/run.sh [mocha args...]   1. simulator virtdisk.dll: spec/unit + spec/windows specs
#                                               2. Wine's own builtin virtdisk.dll: spec/wine-builtin specs
#   bash spec/windows/run.sh --bench [args...]  bench/attach-detach.ts, thread-pool.ts, long-operations.ts, provision.ts against the simulator
#   bash spec/windows/run.sh --exec <node.exe args...>   one node.exe run against the simulator (spec/windows/consumer.sh)
#   bash spec/windows/run.sh --with-simulator <linux command...>   a Linux command that starts node.exe runs itself
#       (VIRTDISK_WINE64 and VIRTDISK_NODE_EXE in its environment, WINEDLLOVERRIDES for the simulator), e.g. to
#       time them, signal them (Ctrl-C) or run each in a fresh process (spec/windows/vdisk-wine.ts)
#
# Needs spec/windows/install-system.sh once (root). Knobs: VIRTDISK_WINE_HOME (cache dir, default <repo>/.wine),
# VIRTDISK_WINEDEBUG (WINEDEBUG, default -all), VIRTDISK_WINE_TIMEOUT (seconds per node.exe run, default 1200).
# Extra arguments go to mocha (e.g. --grep attach) or, with --bench, to the bench script.
# Logs of each node.exe run: $WINE_HOME/logs/.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wine/env.sh"

T0=$(now_ms)
say() { echo "[windows] $*"; }
die() { echo "[windows] ERROR: $*" >&2; exit 1; }

MODE=test
if [ "${1:-}" = "--bench" ]; then MODE=bench; shift; fi
if [ "${1:-}" = "--exec" ]; then MODE=exec; shift; fi
if [ "${1:-}" = "--with-simulator" ]; then MODE=linux; shift; fi
EXTRA=("$@")

SERVER_STARTED= SIM_INSTALLED= TAIL_PID=
cleanup() {
  local rc=$?
  [ -n "$TAIL_PID" ] && kill "$TAIL_PID" 2>/dev/null
  [ -n "$SERVER_STARTED" ] && wine_server_stop   # also ends any node.exe still running in this prefix (Ctrl-C)
  [ -n "$SIM_INSTALLED" ] && use_original 2>/dev/null
  say "wall time $(fmt_s $(( $(now_ms) - T0 ))) (exit $rc)"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wine_lock
bash "$REPO/spec/windows/setup.sh" || die "setup failed"
cd "$REPO"

# ------------------------------------------------------------------ simulator DLL
SIM_BUILD=$REPO/spec/windows/simulator/build.sh
SIM_OUT=$WINE_HOME/build/simulator
[ -f "$SIM_BUILD" ] || die "$SIM_BUILD does not exist yet: the virtdisk.dll simulator is needed for this tier"
t=$(now_ms)
mkdir -p "$SIM_OUT"
if [ ! -f "$SIM_OUT/virtdisk.dll" ] || [ -n "$(find "$(dirname "$SIM_BUILD")" "$REPO/spec/windows/fakedisk/fakedisk.h" -newer "$SIM_OUT/virtdisk.dll" -print -quit)" ]; then
  rm -f "$SIM_OUT/virtdisk.dll"
  bash "$SIM_BUILD" "$SIM_OUT" || die "simulator build failed ($SIM_BUILD $SIM_OUT)"
  [ -f "$SIM_OUT/virtdisk.dll" ] || die "$SIM_BUILD did not produce $SIM_OUT/virtdisk.dll"
  say "simulator built ($(fmt_s $(( $(now_ms) - t ))))"
else
  say "simulator up to date ($SIM_OUT/virtdisk.dll)"
fi

# ------------------------------------------------------------------ which virtdisk.dll is in system32
# Wine's original system32 file is kept once, so the prefix can always be put back as Wine made it.
ORIG_DLL=$WINE_HOME/virtdisk.wine-original.dll
is_wine_builtin() { grep -q 'Wine builtin DLL' "$1" 2>/dev/null; }
if [ ! -f "$ORIG_DLL" ]; then
  if is_wine_builtin "$SYSTEM32/virtdisk.dll"; then
    cp "$SYSTEM32/virtdisk.dll" "$ORIG_DLL"
  else # someone replaced it before we saved it: take Wine's pristine copy
    cp "$WINE_PE_DIR/virtdisk.dll" "$ORIG_DLL" || die "cannot find Wine's original virtdisk.dll"
  fi
fi
use_simulator() { SIM_INSTALLED=1; cp "$SIM_OUT/virtdisk.dll" "$SYSTEM32/virtdisk.dll" || die "cannot install the simulator in $SYSTEM32"; }
use_original() { cmp -s "$ORIG_DLL" "$SYSTEM32/virtdisk.dll" || cp "$ORIG_DLL" "$SYSTEM32/virtdisk.dll" || die "cannot restore $SYSTEM32/virtdisk.dll"; }

# ------------------------------------------------------------------ one wineserver for the whole tier
[ -n "$(wine_server_socket)" ] && wine_server_stop   # a leftover server (killed run) would not be persistent
SERVER_STARTED=1
wine_server_start

# node.exe's stdout/stderr must not be Unix pipes (libuv throws EBADF on the first write: CI log capture, `| cat`).
# So it writes to a log file, which is streamed while it runs; the exit code is node.exe's.
# A hung node.exe is killed after VIRTDISK_WINE_TIMEOUT seconds (default 1200; exit code 124).
TIMEOUT=${VIRTDISK_WINE_TIMEOUT:-1200}
mkdir -p "$WINE_HOME/logs"
winenode() { # <log name> <WINEDLLOVERRIDES> <node.exe args...>
  local log=$WINE_HOME/logs/$1.log overrides=$2; shift 2
  : >"$log"
  WINEDLLOVERRIDES=$overrides timeout -k 10 "$TIMEOUT" "$WINE64" "$NODE_EXE" "$@" </dev/null >"$log" 2>&1 9>&- &
  local pid=$!
  tail -n +1 -s 0.2 -f --pid="$pid" "$log" &
  TAIL_PID=$!
  local rc=0
  wait "$pid" || rc=$?
  wait "$TAIL_PID" 2>/dev/null; TAIL_PID=
  [ $rc -eq 124 ] && echo "[windows] node.exe killed after ${TIMEOUT}s (VIRTDISK_WINE_TIMEOUT)" >&2
  return $rc
}

# Mocha reads .mocharc.json, whose "spec" would be added to ours (mocha concatenates them) and whose "import"
# would make mocha re-spawn node: use a copy without those and give node.exe --import tsx directly.
MOCHARC=$WINE_HOME/mocharc.windows.json
node -e '
  const fs = require("fs");
  let rc = {};
  try { rc = JSON.parse(fs.readFileSync(".mocharc.json", "utf8")); } catch {}
  for (const k of ["spec", "import", "node-option", "timeout"]) delete rc[k];
  fs.writeFileSync(process.argv[1], JSON.stringify(rc, null, 2) + "\n");' "$MOCHARC" || die "cannot write $MOCHARC"
mocha() { # <log name> <WINEDLLOVERRIDES> <spec globs and mocha args...>
  local name=$1 overrides=$2; shift 2
  winenode "$name" "$overrides" --import tsx node_modules/mocha/bin/mocha.js \
    --config "$(winpath "$MOCHARC")" --no-package --no-color --timeout 30000 "$@" "${EXTRA[@]}"
}
has_specs() { [ -n "$(find "$1" -name '*.spec.ts' -print -quit 2>/dev/null)" ]; }

SIM_OVERRIDES="mscoree,mshtml=;virtdisk=n,b"
BUILTIN_OVERRIDES="mscoree,mshtml=;virtdisk=b"
FAILED=()

if [ "$MODE" = bench ]; then
  [ -f bench/attach-detach.ts ] || die "bench/attach-detach.ts does not exist"
  use_simulator
  say "bench: node.exe --import tsx bench/attach-detach.ts (simulator virtdisk.dll)"
  t=$(now_ms)
  winenode bench "$SIM_OVERRIDES" --import tsx bench/attach-detach.ts "${EXTRA[@]}" || FAILED+=("bench (exit $?)")
  # The thread-pool and long-operation benchmarks measure libuv's default pool (4 threads), as users get it.
  for script in bench/thread-pool.ts bench/long-operations.ts bench/provision.ts; do
    [ -f "$script" ] || continue
    say "bench: node.exe --import tsx $script (UV_THREADPOOL_SIZE unset: libuv's default pool)"
    ( unset UV_THREADPOOL_SIZE; winenode "bench-$(basename "$script" .ts)" "$SIM_OVERRIDES" --import tsx "$script" ) || FAILED+=("$script (exit $?)")
  done
  say "bench finished ($(fmt_s $(( $(now_ms) - t ))))"
elif [ "$MODE" = exec ]; then
  use_simulator
  say "exec: node.exe ${EXTRA[*]} (simulator virtdisk.dll)"
  winenode exec "$SIM_OVERRIDES" "${EXTRA[@]}" || FAILED+=("node.exe (exit $?)")
elif [ "$MODE" = linux ]; then
  use_simulator
  say "with the simulator: ${EXTRA[*]}"
  VIRTDISK_WINE64=$WINE64 VIRTDISK_NODE_EXE=$NODE_EXE WINEDLLOVERRIDES=$SIM_OVERRIDES timeout -k 10 "$TIMEOUT" "${EXTRA[@]}" </dev/null 9>&- \
    || FAILED+=("${EXTRA[0]} (exit $?)")
else
  use_simulator
  say "run 1/2: spec/unit + spec/windows against the simulator virtdisk.dll ($SIM_OVERRIDES)"
  t=$(now_ms)
  mocha simulator "$SIM_OVERRIDES" 'spec/unit/**/*.spec.ts' 'spec/windows/**/*.spec.ts' || FAILED+=("simulator run (exit $?)")
  say "run 1/2 finished ($(fmt_s $(( $(now_ms) - t ))))"

  use_original
  say "run 2/2: spec/wine-builtin against Wine's own builtin virtdisk.dll ($BUILTIN_OVERRIDES)"
  t=$(now_ms)
  if has_specs spec/wine-builtin; then
    mocha wine-builtin "$BUILTIN_OVERRIDES" 'spec/wine-builtin/**/*.spec.ts' || FAILED+=("wine-builtin run (exit $?)")
  else
    echo "[windows] no spec/wine-builtin/**/*.spec.ts found" >&2
    FAILED+=("wine-builtin run (no specs)")
  fi
  say "run 2/2 finished ($(fmt_s $(( $(now_ms) - t ))))"
fi

if [ ${#FAILED[@]} -gt 0 ]; then
  say "FAILED: ${FAILED[*]}"
  exit 1
fi
say "all passed"
exit 0
