// Compiles every TypeScript source to dist/ with swc (well under a second), rewriting the
// @rpm/* path aliases to relative requires so plain `node` can run the output. The doctor's web page
// (apps/api/web) is compiled apart, to ES modules for the browser, with its assets beside it.
import { transformFile } from '@swc/core';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const sourceDirs = ['apps', 'libs', 'device-simulators', 'scripts', 'test', 'bench'];
const outDir = path.join(root, 'dist');
const swcrc = JSON.parse(await readFile(path.join(root, '.swcrc'), 'utf8'));
const tsconfig = JSON.parse(await readFile(path.join(root, 'tsconfig.json'), 'utf8'));

const webDir = path.join(root, 'apps/api/web');

async function* typescriptFiles(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (full === webDir) continue;
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

// The web page: ES modules (the browser resolves `uplot` through the page's import map), its HTML and
// CSS, and the chart library's own files.
const webOut = path.join(outDir, 'apps/api/web');
const webOptions = { ...options, module: { type: 'es6' }, jsc: { ...options.jsc, baseUrl: undefined, paths: undefined } };
await mkdir(path.join(webOut, 'vendor'), { recursive: true });
for (const entry of await readdir(path.join(webDir, 'src'))) {
  if (!entry.endsWith('.ts')) continue;
  const file = path.join(webDir, 'src', entry);
  jobs.push(
    transformFile(file, { ...webOptions, filename: file, sourceMaps: false }).then(({ code }) =>
      writeFile(path.join(webOut, entry.replace(/\.ts$/, '.js')), code),
    ),
  );
}
for (const asset of ['index.html', 'styles.css']) jobs.push(copyFile(path.join(webDir, asset), path.join(webOut, asset)));
for (const asset of ['uPlot.esm.js', 'uPlot.min.css'])
  jobs.push(copyFile(path.join(root, 'node_modules/uplot/dist', asset), path.join(webOut, 'vendor', asset)));
await Promise.all(jobs);
