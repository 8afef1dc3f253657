// Windows knows an image by its file, not by how its path is spelled (\\?\, UNC or mapped drive, subst,
// 8.3 names, links on the way, trailing dots and spaces, case). This is the one function that answers
// "is this the same image": every such question in the library compares its results.
import { stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * The image's identity: 'file:<volume serial>:<file ID>' from fs.stat (on Windows, libuv fills `dev` with
 * the volume serial number and `ino` with the file's 64-bit index from NtQueryInformationFile). When the
 * file cannot be read (it does not exist, or this is not Windows), the normalised path: 'path:<…>', which
 * catches prefixes, trailing dots and spaces, case and `..`, but not links, 8.3 names or mapped drives.
 */
export async function imageIdentity(imagePath: string): Promise<string> {
  if (process.platform === 'win32') {
    try {
      // Node prefixes \\?\ itself, which turns off Windows' own stripping of trailing dots and spaces:
      // strip them here, as Windows does for the path the image was opened by.
      const { dev, ino } = await stat(imagePath.startsWith('\\\\?\\') ? imagePath : win32Trimmed(imagePath), { bigint: true });
      if (ino !== 0n) return `file:${dev.toString(16)}:${ino.toString(16)}`;
    } catch {
      // fall through to the path
    }
  }
  return `path:${normalizedPath(imagePath)}`;
}

/** Trailing dots and spaces removed from every component, as Win32 path normalisation does. */
function win32Trimmed(imagePath: string): string {
  return imagePath.split('\\').map((part, index) => (index === 0 || part === '.' || part === '..' ? part : part.replace(/[. ]+$/, ''))).join('\\');
}

/** A path as Windows' own normalisation would leave it, case-folded: the fallback identity. */
export function normalizedPath(imagePath: string): string {
  let plain = imagePath;
  if (/^\\\\\?\\UNC\\/i.test(plain)) plain = `\\\\${plain.slice(8)}`;
  else if (/^\\\\[?.]\\/.test(plain)) plain = plain.slice(4);
  const resolved = path.win32.resolve(plain);
  return win32Trimmed(resolved).toUpperCase();
}
