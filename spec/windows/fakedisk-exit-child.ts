// Child process of spec/windows/fakedisk.spec.ts: attaches the image given as argument, writes a GPT layout with a
// basic-data partition, prints the physical path and exits without detaching: by process.exit (ExitProcess), or,
// with 'permanent' as second argument, with a permanent attach whose handle it closes, by running out of work
// (node.exe then unloads the DLLs koffi loaded: FreeLibrary, before ExitProcess).
import { attachVirtualDisk } from '../../lib/index.ts';
import { partition } from './fakedisk-device.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: fakedisk-exit-child.ts <image>');
const permanent = process.argv[3] === 'permanent';
const disk = await attachVirtualDisk(file, { windowsBuild: 26100, permanent });
const physicalPath = await disk.getPhysicalPath();
partition(physicalPath);
process.stdout.write(`${physicalPath}\n`);
if (permanent) await disk.close();
else process.exit(0);
