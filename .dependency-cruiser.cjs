/** Import rules: dependencies point inward (apps -> libs), never in a circle. */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Import cycles make start-up order and tests fragile.', from: {}, to: { circular: true } },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      comment: 'libs are shared by every app; an app is a composition root nobody imports.',
      from: { path: '^libs/', pathNot: '\\.(spec|int-spec)\\.ts$' },
      to: { path: '^(apps|scripts|device-simulators|test)/' },
    },
    {
      name: 'apps-do-not-import-each-other',
      severity: 'error',
      comment: 'The three apps talk over MQTT and PostgreSQL, not through imports; share code through libs.',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'production-code-does-not-import-tests',
      severity: 'error',
      from: { path: '^(apps|libs|device-simulators)/', pathNot: '\\.(spec|int-spec|e2e-spec)\\.ts$' },
      to: { path: '(^test/|\\.(spec|int-spec|e2e-spec)\\.ts$)' },
    },
    {
      name: 'specs-do-not-import-specs',
      severity: 'error',
      comment: 'Shared test code lives in test/support; a spec importing another spec runs its tests twice.',
      from: {},
      to: { path: '\\.(spec|int-spec|e2e-spec)\\.ts$' },
    },
    {
      name: 'domain-libs-have-no-io',
      severity: 'error',
      comment: 'contracts and clinical are pure: no drivers, no Nest, no network or file system.',
      from: { path: '^libs/(contracts|clinical)/', pathNot: '\\.spec\\.ts$' },
      to: { dependencyTypes: ['npm', 'core'], pathNot: '^node_modules/zod/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|node_modules)/' },
  },
};
