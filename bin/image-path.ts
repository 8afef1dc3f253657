// The image path as the library hands it to Windows (made absolute with path.win32.resolve; \\?\ paths
// verbatim): OpenVirtualDisk's Path in the library's own checkOpen(), for results whose library call
// returns nothing (detach).
import { checkOpen } from '../lib/index.ts';

export function windowsPath(image: string, purpose: 'attach' | 'detach' | 'info'): string {
  const open = checkOpen(image, undefined, purpose);
  return open.ok ? open.call.Path : image;
}
