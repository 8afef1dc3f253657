// An SDDL string as a SECURITY_DESCRIPTOR for the length of one call, freed with LocalFree on every path.
import { SDDL_REVISION_1 } from '../types/constants.ts';
import { VirtualDiskError } from './errors.ts';
import { win32Error, windows } from './native.ts';

const CONVERT = 'ConvertStringSecurityDescriptorToSecurityDescriptorW';

export async function withSecurityDescriptor<T>(
  sddl: string | undefined,
  imagePath: string,
  use: (securityDescriptor: bigint | null) => Promise<T>,
): Promise<T> {
  if (sddl === undefined) return use(null);
  const { advapi32, kernel32 } = await windows();
  const descriptor: [bigint | null] = [null];
  // Synchronous on purpose: an in-memory conversion, whose last error lives on this thread, so it must be
  // read here, right after the call.
  if (!advapi32.ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, descriptor, [0])) {
    throw win32Error(kernel32.GetLastError(), CONVERT, imagePath);
  }
  const pointer = descriptor[0];
  if (pointer === null) throw new VirtualDiskError(`${CONVERT} returned no descriptor.`, { code: 'ERR_NO_SECURITY_DESCRIPTOR', syscall: CONVERT, path: imagePath });
  try {
    if (!advapi32.IsValidSecurityDescriptor(pointer)) {
      throw new VirtualDiskError(`The security descriptor made from '${sddl}' is not valid.`, {
        code: 'ERROR_INVALID_SECURITY_DESCR', errno: 1338, syscall: 'IsValidSecurityDescriptor', path: imagePath,
      });
    }
    return await use(pointer);
  } finally {
    kernel32.LocalFree(pointer);
  }
}
