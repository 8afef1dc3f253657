// The rules checked before Windows sees a call, one file per function family (lib/rules/). Pure: no DLL,
// works on every OS. Each check reads its arguments once, and answers with the SDK-level arguments the
// call would be made with, or the error it would fail with.
export {
  checkHandle, type CheckContext, type HandleDescription, type Verdict,
} from './rules/common.ts';
export { checkOpen, describeOpenedHandle, type OpenCall } from './rules/open.ts';
export { attachCallFromOptions, checkAttach, checkAttachCall, type AttachCall } from './rules/attach.ts';
export { checkDetach, checkDetachCall, type DetachCall } from './rules/detach.ts';
