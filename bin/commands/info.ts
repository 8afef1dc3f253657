// vdisk info <image>: getVirtualDiskInfo (the image opened for information only).
import type { Command } from 'commander';
import { getVirtualDiskInfo, type VirtualDiskInfo } from '../../lib/index.ts';
import { operand, type VdiskCommand } from '../command.ts';
import { bytes, labelled } from '../render-text.ts';

export const info: VdiskCommand<Record<string, never>> = {
  name: 'info',
  define: (program: Command) => program.command('info')
    .summary('what Windows tells of an image (VirtualDiskInfo)')
    .description('Prints what GetVirtualDiskInformation tells of the image: type, sizes, sectors, identifiers, parent.')
    .argument('<image>', 'the image file'),

  dryRun(plan, operands, _flags, ctx) {
    plan.getVirtualDiskInfo(operand(operands, 0), ctx.callOptions());
  },

  async run(operands, _flags, ctx) {
    const result = await getVirtualDiskInfo(operand(operands, 0), ctx.callOptions());
    return { document: result, text: infoText(result) };
  },
};

export function infoText(info: VirtualDiskInfo): string[] {
  const yesNo = (value: boolean | undefined) => (value === undefined ? undefined : value ? 'yes' : 'no');
  const parent = info.parent;
  return labelled([
    ['path', info.path],
    ['storage type', info.storageType],
    ['subtype', info.subtype],
    ['virtual size', bytes(info.virtualSize)],
    ['physical size', bytes(info.physicalSize)],
    ['block size', info.blockSize === 0 ? '0 (fixed)' : bytes(info.blockSize)],
    ['logical sector size', info.logicalSectorSize],
    ['physical sector size', info.physicalSectorSize],
    ['identifier', info.identifier],
    ['virtual disk id', info.virtualDiskId],
    ['parent', parent === undefined ? undefined : `${parent.paths.join(' | ') || '(none)'}${parent.resolved ? '' : ' (not found)'}`],
    ['parent identifier', parent?.identifier],
    ['parent timestamp', parent?.timestamp],
    ['smallest safe size', bytes(info.smallestSafeVirtualSize)],
    ['fragmentation', info.fragmentationPercentage === undefined ? undefined : `${info.fragmentationPercentage} %`],
    ['4K aligned', yesNo(info.is4kAligned)],
    ['loaded', yesNo(info.isLoaded)],
    ['change tracking', info.changeTracking === undefined ? undefined : info.changeTracking.enabled ? `on (${info.changeTracking.mostRecentId})` : 'off'],
  ]);
}
