// Structs of um/winioctl.h (SDK 10.0.22000) that the volume mapping reads: the output of
// IOCTL_STORAGE_GET_DEVICE_NUMBER and IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS (DeviceIoControl: ioapiset.ts).
// Anonymous koffi types, as in types.ts.
import koffi from 'koffi';

export const STORAGE_DEVICE_NUMBER = koffi.struct({
  DeviceType: 'uint32', // DEVICE_TYPE: FILE_DEVICE_DISK 7, FILE_DEVICE_CD_ROM 2
  DeviceNumber: 'uint32',
  PartitionNumber: 'uint32', // (DWORD)-1 when the device cannot be partitioned
});

export const DISK_EXTENT = koffi.struct({
  DiskNumber: 'uint32',
  StartingOffset: 'int64', // LARGE_INTEGER
  ExtentLength: 'int64',
});

/** The SDK declares Extents[ANYSIZE_ARRAY]: N extents take 8 + 24·N bytes; sizeof is that of one. */
export const VOLUME_DISK_EXTENTS = koffi.struct({
  NumberOfDiskExtents: 'uint32',
  Extents: koffi.array(DISK_EXTENT, 1),
});

export interface StorageDeviceNumberValue {
  DeviceType: number;
  DeviceNumber: number;
  PartitionNumber: number;
}
export interface DiskExtentValue {
  DiskNumber: number;
  StartingOffset: bigint | number;
  ExtentLength: bigint | number;
}
