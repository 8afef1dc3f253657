// Preloaded (node.exe --import) into a vdisk process under Wine by spec/windows/vdisk-wine.ts: the simulator's
// long operations take VDISK_SIM_DURATION_MS, long enough to press Ctrl-C while one runs. The simulator's
// state lives in the process, so the control has to be set inside the vdisk process itself.
import koffi from 'koffi';
import { systemLibraryPath } from 'virtdisk/ffi';

const SimSetDuration = koffi.load(systemLibraryPath('virtdisk')).func('void __stdcall SimSetDuration(const char16_t *fn, uint32 ms)');
for (const fn of ['CreateVirtualDisk', 'CompactVirtualDisk', 'ResizeVirtualDisk', 'MergeVirtualDisk']) {
  SimSetDuration(fn, Number(process.env.VDISK_SIM_DURATION_MS ?? 20000));
}
// Tells the test when vdisk itself starts loading (it registers its Ctrl-C handler right after).
if (process.env.VDISK_SIM_READY) (await import('node:fs')).writeFileSync(process.env.VDISK_SIM_READY, 'ready');
