// Child process of spec/windows/fakedisk.spec.ts: attaches the image given as argument, writes a GPT layout with a
// basic-data partition, prints the physical path and exits (process.exit: ExitProcess) without detaching.
import { attachVirtualDisk } from '../../lib/index.ts';
import { partition } from './fakedisk-device.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: fakedisk-exit-child.ts <image>');
const disk = await attachVirtualDisk(file, { windowsBuild: 26100 });
const physicalPath = await disk.getPhysicalPath();
partition(physicalPath);
process.stdout.write(`${physicalPath}\n`);
process.exit(0);
