// Preloaded (node.exe --import) into a vdisk process under Wine by spec/windows/vdisk-wine.ts: the simulator
// is told to report the next attach as \\.\PhysicalDrive0 (the disk Wine's C: and Z: volumes sit on), then
// VDISK_SIM_ATTACHED is attached permanently, standing in for an attach another process made earlier.
import koffi from 'koffi';
import { attachVirtualDisk } from 'virtdisk';

const system32 = process.env.SystemRoot ? `${process.env.SystemRoot}\\system32` : 'C:\\windows\\system32';
const simulator = koffi.load(`${system32}\\virtdisk.dll`);
simulator.func('void __stdcall SimSetNextPhysicalPath(const char16_t *path)')('\\\\.\\PhysicalDrive0');
const disk = await attachVirtualDisk(process.env.VDISK_SIM_ATTACHED ?? '', { permanent: true });
await disk.close();
