// Preloaded (node.exe --import) into a vdisk process under Wine by spec/windows/vdisk-wine.ts: attaches
// VDISK_SIM_ATTACHED permanently before vdisk runs, standing in for an attach another process made earlier.
// On Windows attachments are system-wide; the simulator keeps them in the process that made them.
import { attachVirtualDisk } from 'virtdisk';

const disk = await attachVirtualDisk(process.env.VDISK_SIM_ATTACHED ?? '', { permanent: true });
await disk.close();
