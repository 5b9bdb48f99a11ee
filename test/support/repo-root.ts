import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root, whether this file runs from its source (jest) or from dist/ (the benchmark). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}
