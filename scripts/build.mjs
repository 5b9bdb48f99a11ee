// Compiles every TypeScript source to dist/ with swc (well under a second), rewriting the
// @rpm/* path aliases to relative requires so plain `node` can run the output.
import { transformFile } from '@swc/core';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const sourceDirs = ['apps', 'libs', 'device-simulators', 'scripts', 'test', 'bench'];
const outDir = path.join(root, 'dist');
const swcrc = JSON.parse(await readFile(path.join(root, '.swcrc'), 'utf8'));
const tsconfig = JSON.parse(await readFile(path.join(root, 'tsconfig.json'), 'utf8'));

async function* typescriptFiles(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* typescriptFiles(full);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield full;
  }
}

const options = {
  ...swcrc,
  $schema: undefined,
  swcrc: false,
  jsc: { ...swcrc.jsc, baseUrl: root, paths: tsconfig.compilerOptions.paths },
};

const jobs = [];
for (const dir of sourceDirs) {
  for await (const file of typescriptFiles(path.join(root, dir))) {
    jobs.push(
      (async () => {
        const target = path.join(outDir, path.relative(root, file)).replace(/\.ts$/, '.js');
        const { code, map } = await transformFile(file, {
          ...options,
          filename: file,
          sourceFileName: path.relative(path.dirname(target), file),
        });
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, `${code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
        if (map) await writeFile(`${target}.map`, map);
      })(),
    );
  }
}
await Promise.all(jobs);
