// The partition table as bytes (pure): decoding what IOCTL_DISK_GET_DRIVE_LAYOUT_EX returns, planning a new
// partition 1 MiB aligned, and encoding the layout for IOCTL_DISK_SET_DRIVE_LAYOUT_EX.
import { expect } from 'chai';
import fc from 'fast-check';
import * as ffi from '../../ffi/index.ts';
import {
  decodeLayout, encodeCreateDisk, encodeLayoutWith, guidBytes, MiB, planPartition, type PlannedPartition, type PlanResult,
} from '../../lib/partition-table.ts';
import type { DiskLayout } from '../../types/partitions.ts';

const codec = ffi;

function planned(plan: PlanResult): PlannedPartition {
  if (!plan.ok) throw new Error(plan.problem);
  return plan.partition;
}
const BASIC = ffi.PARTITION_BASIC_DATA_GUID;

/** A GPT layout as Windows reports an empty disk: usable from sector 34 to 33 sectors before the end. */
function emptyGpt(size: number, sector = 512): Buffer {
  const bytes = Buffer.alloc(48 + 144 * 4);
  bytes.writeUInt32LE(ffi.PARTITION_STYLE_GPT, 0);
  guidBytes('11111111-2222-3333-4444-555555555555').copy(bytes, 8);
  bytes.writeBigInt64LE(BigInt(34 * sector), 24);
  bytes.writeBigInt64LE(BigInt(size - 34 * sector - 33 * sector), 32);
  bytes.writeUInt32LE(128, 40);
  return bytes;
}

function emptyMbr(signature: number): Buffer {
  const bytes = Buffer.alloc(48 + 144 * 4);
  bytes.writeUInt32LE(ffi.PARTITION_STYLE_MBR, 0);
  bytes.writeUInt32LE(4, 4);
  bytes.writeUInt32LE(signature, 8);
  return bytes;
}

describe('partition table bytes', () => {
  it('decodes an empty GPT disk: its GUID and usable area, no partitions', () => {
    const layout = decodeLayout(codec, emptyGpt(64 * MiB), { sectorSize: 512, size: 64 * MiB });
    expect(layout).to.include({ style: 'gpt', id: '11111111-2222-3333-4444-555555555555', usableOffset: 17408, usableLength: 64 * MiB - 67 * 512 });
    expect(layout.partitions).to.deep.equal([]);
  });

  it('decodes an MBR disk: the signature in hex, the four empty slots left out', () => {
    const layout = decodeLayout(codec, emptyMbr(0x1a2b3c4d), { sectorSize: 512, size: 64 * MiB });
    expect(layout).to.include({ style: 'mbr', id: '0x1a2b3c4d', usableOffset: 512 });
    expect(layout.partitions).to.deep.equal([]);
  });

  it('a RAW disk decodes as style raw', () => {
    const bytes = Buffer.alloc(48);
    bytes.writeUInt32LE(ffi.PARTITION_STYLE_RAW, 0);
    expect(decodeLayout(codec, bytes, { sectorSize: 512, size: 64 * MiB }).style).to.equal('raw');
  });

  it('plans the first partition at 1 MiB, all usable space in whole MiB, and round-trips through the bytes', () => {
    const bytes = emptyGpt(64 * MiB);
    const layout = decodeLayout(codec, bytes, { sectorSize: 512, size: 64 * MiB });
    const plan = planPartition(layout, { size: undefined, type: BASIC, name: 'Dev' });
    expect(plan).to.deep.equal({ ok: true, partition: { offset: MiB, length: 62 * MiB, type: BASIC, name: 'Dev' } });
    if (!plan.ok) return;
    const encoded = encodeLayoutWith(codec, bytes, layout, plan.partition);
    expect(encoded.length).to.equal(48 + 144);
    expect(encoded.readUInt32LE(4)).to.equal(1);
    expect(encoded.readUInt8(48 + 28)).to.equal(1); // RewritePartition
    const again = decodeLayout(codec, encoded, { sectorSize: 512, size: 64 * MiB });
    expect(again.id).to.equal(layout.id);
    expect(again.partitions).to.have.length(1);
    expect(again.partitions[0]).to.include({ offset: MiB, length: 62 * MiB, type: BASIC, typeName: 'basic-data', name: 'Dev', style: 'gpt' });
    expect(again.partitions[0]!.id).to.match(/^[0-9a-f-]{36}$/).and.not.equal('00000000-0000-0000-0000-000000000000');
  });

  it('a second partition goes after the first, both kept; a size is rounded up to whole MiB', () => {
    const disk = { sectorSize: 512, size: 64 * MiB };
    const bytes = emptyGpt(disk.size);
    const first = planPartition(decodeLayout(codec, bytes, disk), { size: 10 * MiB - 5, type: BASIC, name: '' });
    expect(first.ok && first.partition).to.include({ offset: MiB, length: 10 * MiB });
    const withFirst = encodeLayoutWith(codec, bytes, decodeLayout(codec, bytes, disk), planned(first));
    const layout = decodeLayout(codec, withFirst, disk);
    const second = planPartition(layout, { size: undefined, type: BASIC, name: '' });
    expect(second.ok && second.partition).to.include({ offset: 11 * MiB, length: 52 * MiB });
    const both = decodeLayout(codec, encodeLayoutWith(codec, withFirst, layout, planned(second)), disk);
    expect(both.partitions.map((p) => [p.offset, p.length])).to.deep.equal([[MiB, 10 * MiB], [11 * MiB, 52 * MiB]]);
    expect(both.partitions.every((p) => p.offset % MiB === 0)).to.equal(true);
  });

  it('MBR: the entry carries its type byte and hidden sectors, padded to four slots', () => {
    const disk = { sectorSize: 512, size: 64 * MiB };
    const bytes = emptyMbr(0xdeadbeef);
    const layout = decodeLayout(codec, bytes, disk);
    const plan = planPartition(layout, { size: undefined, type: ffi.PARTITION_FAT32_XINT13, name: '' });
    if (!plan.ok) throw new Error(plan.problem);
    const encoded = encodeLayoutWith(codec, bytes, layout, plan.partition);
    expect(encoded.readUInt32LE(4)).to.equal(4);
    expect(encoded.length).to.equal(48 + 4 * 144);
    expect(encoded.readUInt8(48 + 32)).to.equal(0x0c);
    expect(encoded.readUInt32LE(48 + 36)).to.equal(MiB / 512);
    const again = decodeLayout(codec, encoded, disk);
    expect(again.partitions).to.have.length(1);
    expect(again.partitions[0]).to.include({ style: 'mbr', type: '0x0c', typeName: 'fat32', offset: MiB, active: false });
  });

  it('refuses what does not fit, says how much does, and refuses a RAW disk and a fifth MBR partition', () => {
    const disk = { sectorSize: 512, size: 64 * MiB };
    const layout = decodeLayout(codec, emptyGpt(disk.size), disk);
    const tooBig = planPartition(layout, { size: 63 * MiB, type: BASIC, name: '' });
    expect(tooBig.ok).to.equal(false);
    expect(!tooBig.ok && tooBig.fix).to.contain(String(62 * MiB));
    const raw: DiskLayout = { style: 'raw', sectorSize: 512, size: disk.size, partitions: [] };
    expect(planPartition(raw, { size: undefined, type: BASIC, name: '' })).to.include({ ok: false });
    const full: DiskLayout = { style: 'mbr', sectorSize: 512, size: disk.size, usableOffset: 512, usableLength: disk.size - 512,
      partitions: [1, 2, 3, 4].map((n) => ({ number: n, offset: n * MiB, length: MiB, style: 'mbr', type: '0x07' })) };
    const fifth = planPartition(full, { size: MiB, type: 7, name: '' });
    expect(!fifth.ok && fifth.problem).to.contain('4 primary partitions');
  });

  it('any planned partition is MiB aligned, inside the usable area and after the last one (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 8, max: 4096 }), fc.option(fc.integer({ min: 1, max: 8192 * MiB })), fc.constantFrom(512, 4096), (mib, size, sector) => {
      const disk = { sectorSize: sector, size: mib * MiB };
      const layout = decodeLayout(codec, emptyGpt(disk.size, sector), disk);
      const plan = planPartition(layout, { size: size ?? undefined, type: BASIC, name: '' });
      if (!plan.ok) return size !== null && size > (mib - 2) * MiB;
      const end = plan.partition.offset + plan.partition.length;
      return plan.partition.offset % MiB === 0 && plan.partition.length % MiB === 0 && plan.partition.offset >= layout.usableOffset!
        && end <= layout.usableOffset! + layout.usableLength!;
    }));
  });

  it('CREATE_DISK: GPT with a fresh disk GUID and 128 entries; MBR with a non-zero signature', () => {
    const gpt = encodeCreateDisk('gpt');
    expect(gpt.length).to.equal(24);
    expect(gpt.readUInt32LE(0)).to.equal(ffi.PARTITION_STYLE_GPT);
    expect(gpt.subarray(4, 20).equals(Buffer.alloc(16))).to.equal(false);
    expect(gpt.readUInt32LE(20)).to.equal(128);
    expect(encodeCreateDisk('gpt').subarray(4, 20).equals(gpt.subarray(4, 20))).to.equal(false);
    const mbr = encodeCreateDisk('mbr');
    expect(mbr.readUInt32LE(0)).to.equal(ffi.PARTITION_STYLE_MBR);
    expect(mbr.readUInt32LE(4)).to.not.equal(0);
  });
});
