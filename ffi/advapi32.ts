// advapi32.dll: security descriptors (securitybaseapi.h, sddl.h). BOOL functions: see kernel32.ts.
import koffi from 'koffi';
import type { NativeLibrary } from './libraries.ts';
import { declaredOnUse, type NativeFunction, type OutParameter, type TypeSpec } from './native-function.ts';
import { PSECURITY_DESCRIPTOR } from './types.ts';

export interface Advapi32 {
  ConvertStringSecurityDescriptorToSecurityDescriptorW: NativeFunction<
    [
      StringSecurityDescriptor: string,
      StringSDRevision: number,
      SecurityDescriptor: OutParameter<bigint | null>,
      SecurityDescriptorSize: OutParameter<number> | null,
    ],
    number
  >;
  IsValidSecurityDescriptor: NativeFunction<[pSecurityDescriptor: bigint], number>;
  GetSecurityDescriptorLength: NativeFunction<[pSecurityDescriptor: bigint], number>;
}

export function declareAdvapi32(lib: NativeLibrary): Advapi32 {
  const stdcall = (name: string, result: TypeSpec, params: TypeSpec[]) => () => lib.func('__stdcall', name, result, params);
  return declaredOnUse<Advapi32>('advapi32', {
    ConvertStringSecurityDescriptorToSecurityDescriptorW: stdcall(
      'ConvertStringSecurityDescriptorToSecurityDescriptorW',
      'int32',
      ['const char16_t *', 'uint32', koffi.out(koffi.pointer(PSECURITY_DESCRIPTOR)), koffi.out(koffi.pointer('uint32'))],
    ),
    IsValidSecurityDescriptor: stdcall('IsValidSecurityDescriptor', 'int32', [PSECURITY_DESCRIPTOR]),
    GetSecurityDescriptorLength: stdcall('GetSecurityDescriptorLength', 'uint32', [PSECURITY_DESCRIPTOR]),
  });
}
