/** Reads every byte of every file under a folder, to prove what is not there. */
import fs from 'node:fs';
import path from 'node:path';

export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

/** The files (and encodings) in which any of the needles appears, as UTF-8 or UTF-16LE. */
export function findInFiles(dir: string, needles: string[]): string[] {
  const hits: string[] = [];
  for (const file of filesUnder(dir)) {
    const bytes = fs.readFileSync(file);
    for (const needle of needles) {
      if (bytes.includes(Buffer.from(needle, 'utf8'))) hits.push(`${file}: ${needle} (utf8)`);
      if (bytes.includes(Buffer.from(needle, 'utf16le'))) hits.push(`${file}: ${needle} (utf16le)`);
    }
  }
  return hits;
}
