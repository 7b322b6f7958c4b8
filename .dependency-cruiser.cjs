/**
 * Architecture boundaries (issue 13; docs/architecture.md). Imports flow downward only:
 *   cli → http → app → domains → jobs → runtimes / storage → ml → core
 * Checked by `npm run check:boundaries` (its own step in .ci/run, after lint); src/architecture.test.ts plants each
 * forbidden import in a temp tree and expects the rule named here to catch it.
 * Type-only imports count (tsPreCompilationDeps): a cycle through `import type` is still a cycle in the design.
 */
const TEST_FILE = '(\\.test\\.tsx?$|/testing/)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles, type-only imports included: move the shared part into a third module both import.',
      from: { path: '^(src|web/src)/' },
      to: { circular: true },
    },
    {
      name: 'ml-is-pure',
      severity: 'error',
      comment:
        'src/ml holds pure algorithms: it may import src/core (and node/npm), nothing above it. ' +
        'Tests may borrow fixtures from above (they never ship).',
      from: { path: '^src/ml/', pathNot: TEST_FILE },
      to: { path: '^src/(domains|http|app|cli|jobs|storage|runtimes)/' },
    },
    {
      name: 'core-is-the-bottom',
      severity: 'error',
      comment:
        'src/core is the lowest layer: it imports no other layer of src. ' +
        'Tests may: core/http helpers are tested through the real app.',
      from: { path: '^src/core/', pathNot: TEST_FILE },
      to: { path: '^src/(?!core/)' },
    },
    {
      name: 'domains-not-above',
      severity: 'error',
      comment:
        'Domain code must not import src/app, src/http or src/cli (they assemble the domains, not the reverse). ' +
        'Tests and testing/ helpers may: route tests run through the real app.',
      from: { path: '^src/domains/', pathNot: TEST_FILE },
      to: { path: '^src/(app|http|cli)/' },
    },
    {
      name: 'infrastructure-not-above',
      severity: 'error',
      comment:
        'src/jobs, src/storage and src/runtimes are infrastructure under the domains: they import nothing from ' +
        'src/domains, src/app, src/http or src/cli. What needs the assembled app (the job thread\'s entry, which builds ' +
        'an AppContext) is a composition root and lives in src/app. Tests may use the real app.',
      from: { path: '^src/(jobs|storage|runtimes)/', pathNot: TEST_FILE },
      to: { path: '^src/(domains|app|http|cli)/' },
    },
    {
      name: 'storage-runtimes-below-jobs',
      severity: 'error',
      comment: 'src/storage and src/runtimes sit under src/jobs: the queue uses them, never the reverse. Tests may.',
      from: { path: '^src/(storage|runtimes)/', pathNot: TEST_FILE },
      to: { path: '^src/jobs/' },
    },
    {
      name: 'domain-through-index',
      severity: 'error',
      comment: "src/app and src/http import a domain only through its index.ts (the domain's public surface).",
      from: { path: '^src/(app|http)/', pathNot: TEST_FILE },
      to: { path: '^src/domains/[^/]+/(?!index\\.ts$)' },
    },
    {
      name: 'web-types-only-from-server',
      severity: 'error',
      comment: 'web/src may use server types (`import type`) but no server code: nothing from src/ reaches the bundle.',
      from: { path: '^web/src/' },
      to: { path: '^src/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing is a typo or a missing dependency.',
      from: { path: '^(src|web/src)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|__reference__)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      // type-only packages (@medplum/fhirtypes) have an empty "main" and only "types"
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
