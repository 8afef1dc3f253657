// rstrtmgr.dll, as declared in um/RestartManager.h (SDK 10.0.22000): which processes hold a file. Every
// function returns its Win32 error code (no last error). Anonymous koffi types, as in types.ts.
import koffi from 'koffi';
import type { NativeLibrary } from './libraries.ts';
import { declaredOnUse, type NativeFunction, type OutParameter, type TypeSpec } from './native-function.ts';

export const FILETIME = koffi.struct({
  dwLowDateTime: 'uint32',
  dwHighDateTime: 'uint32',
});

export const RM_UNIQUE_PROCESS = koffi.struct({
  dwProcessId: 'uint32',
  ProcessStartTime: FILETIME,
});

export const RM_PROCESS_INFO = koffi.struct({
  Process: RM_UNIQUE_PROCESS,
  strAppName: koffi.array('char16_t', 255 + 1), // WCHAR[CCH_RM_MAX_APP_NAME + 1]
  strServiceShortName: koffi.array('char16_t', 63 + 1), // WCHAR[CCH_RM_MAX_SVC_NAME + 1]
  ApplicationType: 'uint32', // RM_APP_TYPE
  AppStatus: 'uint32',
  TSSessionId: 'uint32',
  bRestartable: 'int32', // BOOL
});

export interface Rstrtmgr {
  RmStartSession: NativeFunction<
    [pSessionHandle: OutParameter<number>, dwSessionFlags: number, strSessionKey: Buffer],
    number
  >;
  RmRegisterResources: NativeFunction<
    [
      dwSessionHandle: number,
      nFiles: number,
      rgsFileNames: string[],
      nApplications: number,
      rgApplications: null,
      nServices: number,
      rgsServiceNames: null,
    ],
    number
  >;
  /** ERROR_MORE_DATA (234) with *pnProcInfoNeeded when rgAffectedApps holds fewer than that. */
  RmGetList: NativeFunction<
    [
      dwSessionHandle: number,
      pnProcInfoNeeded: OutParameter<number>,
      pnProcInfo: OutParameter<number>,
      rgAffectedApps: Buffer | null,
      lpdwRebootReasons: OutParameter<number>,
    ],
    number
  >;
  RmEndSession: NativeFunction<[dwSessionHandle: number], number>;
}

export function declareRstrtmgr(lib: NativeLibrary): Rstrtmgr {
  const stdcall = (name: string, result: TypeSpec, params: TypeSpec[]) => () => lib.func('__stdcall', name, result, params);
  return declaredOnUse<Rstrtmgr>('rstrtmgr', {
    RmStartSession: stdcall('RmStartSession', 'uint32', [koffi.out(koffi.pointer('uint32')), 'uint32', 'void *']),
    RmRegisterResources: stdcall('RmRegisterResources', 'uint32', [
      'uint32', 'uint32', koffi.pointer('const char16_t *'), 'uint32', 'void *', 'uint32', 'void *',
    ]),
    RmGetList: stdcall('RmGetList', 'uint32', [
      'uint32',
      koffi.out(koffi.pointer('uint32')),
      koffi.inout(koffi.pointer('uint32')),
      'void *',
      koffi.out(koffi.pointer('uint32')),
    ]),
    RmEndSession: stdcall('RmEndSession', 'uint32', ['uint32']),
  });
}
