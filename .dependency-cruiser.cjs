// The layering of src/, checked by `npm run lint:layers` (part of `npm test`).
//
// Layers, bottom to top; a file may import its own folder and the layers below it:
//
//   config     src/config/     the config schema and its resolution
//   model      src/model/      what both engines share: halt codes, statistic layout, RNG and
//                              its streams, the state columns, the engine interface types
//   io         src/io/         .npy files            } side by side: model and config only
//   spectrum   src/spectrum/   eigen/Lanczos/kernel  }
//   engines    src/gpu/        WebGPU                } twins: never each other
//              src/reference/  the float64 CPU twin  }
//   train      src/train/      the run loop, instruments, summaries, backends
//   uses       src/sweep/, src/report/, src/bench/
//   top        src/cli/ (Node), src/ui/ (the page): never each other
//
// Type-only imports count (tsPreCompilationDeps): a type is part of a layer's interface, and
// the engine interface types live in model precisely so the engines need not import train.
//
// Each rule's name is what a violation prints first; its comment says why it exists.

/** What each layer may import besides its own folder: the whitelists of the rules below. */
const below = {
  model: ['config'],
  libs: ['config', 'model'], // io and spectrum
  engines: ['config', 'model', 'io', 'spectrum'],
  train: ['config', 'model', 'io', 'spectrum', 'gpu', 'reference'],
  uses: ['config', 'model', 'io', 'spectrum', 'gpu', 'reference', 'train', 'sweep', 'report', 'bench'],
};
const LAYERS = ['config', 'model', 'io', 'spectrum', 'gpu', 'reference', 'train', 'sweep', 'report', 'bench', 'cli', 'ui'];
/** `^src/(a|b)/`: a path in one of these folders. `$1` is the importing file's own folder. */
const inFolders = (names) => `^src/(${names.join('|')})/`;
/** The layer rules judge imports of layer folders; src-in-a-layer, imports of anything else in src/. */
const IN_LAYERS = inFolders(LAYERS);

// The page's code: what index.html, embed.html and bench.html load, the report page's script
// (inlined into the report), and whatever is named *_browser.ts. tsconfig.web.json checks the
// same thing for everything these reach; this rule names the direct import.
const BROWSER = '^src/ui/|^src/bench/page\\.ts$|^src/report/page\\.ts$|^src/gpu/device_browser\\.ts$|_browser\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'config-imports-nothing',
      comment:
        'src/config is the bottom layer: the schema and its resolution, which the CLI, the page, ' +
        'the tests and both engines all read. It imports nothing else in src/.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: IN_LAYERS, pathNot: inFolders(['config']) },
    },
    {
      name: 'model-imports-config-only',
      comment:
        'src/model holds what both engines share (halt codes, statistic layout, RNG streams, state ' +
        'columns, engine interface types) so that neither engine imports the other to get it. ' +
        'It may import src/config only.',
      severity: 'error',
      from: { path: '^src/model/' },
      to: { path: IN_LAYERS, pathNot: `${inFolders(below.model)}|^src/model/` },
    },
    {
      name: 'io-spectrum-import-model-config-only',
      comment:
        'src/io (.npy) and src/spectrum (linear algebra) are libraries under the engines: they may ' +
        'import src/model and src/config, and their own folder, not each other nor anything above.',
      severity: 'error',
      from: { path: '^src/(io|spectrum)/' },
      to: { path: IN_LAYERS, pathNot: `${inFolders(below.libs)}|^src/$1/` },
    },
    {
      name: 'engines-below-train-and-apart',
      comment:
        'src/gpu and src/reference are twin engines: each imports config, model, io, spectrum and ' +
        'its own folder only. Never the other engine (what they share belongs in src/model), ' +
        'never src/train or anything above (the run loop drives the engines, not the reverse).',
      severity: 'error',
      from: { path: '^src/(gpu|reference)/' },
      to: { path: IN_LAYERS, pathNot: `${inFolders(below.engines)}|^src/$1/` },
    },
    {
      name: 'train-above-engines-only',
      comment:
        'src/train (the run loop, instruments, summaries, backends) may import the engines and ' +
        'everything under them, but not sweep/report/bench/cli/ui, which are built on it.',
      severity: 'error',
      from: { path: '^src/train/' },
      to: { path: IN_LAYERS, pathNot: `${inFolders(below.train)}|^src/train/` },
    },
    {
      name: 'sweep-report-bench-not-cli-ui',
      comment:
        'src/sweep, src/report and src/bench are used by the CLI and the page; they may import ' +
        'anything below (and each other, acyclically) but never src/cli or src/ui.',
      severity: 'error',
      from: { path: '^src/(sweep|report|bench)/' },
      to: { path: IN_LAYERS, pathNot: inFolders(below.uses) },
    },
    {
      name: 'cli-and-ui-apart',
      comment:
        'src/cli (Node) and src/ui (the page) are the two top layers; what both need belongs in a ' +
        'layer below them, so the page never pulls in the CLI and the CLI never pulls in the page.',
      severity: 'error',
      from: { path: '^src/(cli|ui)/' },
      to: { path: IN_LAYERS, pathNot: `${inFolders(below.uses)}|^src/$1/` },
    },
    {
      name: 'src-in-a-layer',
      comment:
        `Every imported file in src/ lives in one of the layer folders (${LAYERS.join(', ')}), so ` +
        'that the rules above cover it: a new folder gets a place in this file first.',
      severity: 'error',
      from: {},
      to: { path: '^src/', pathNot: IN_LAYERS },
    },
    {
      name: 'src-not-test',
      comment: 'The shipped code never imports the tests or their support files.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-circular',
      comment:
        'No import cycles anywhere: a cycle makes module initialization order matter and hides ' +
        'which of two files is the lower layer.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-node-in-browser',
      comment:
        'The page code runs in a browser: no node:* (or bare fs, path, os ...) builtins there. ' +
        'Node-only code goes in a *_node.ts file or under src/cli. (Imports reached indirectly are ' +
        'caught by `tsc -p tsconfig.web.json`, which has no @types/node.)',
      severity: 'error',
      from: { path: BROWSER },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-dev-deps-at-run-time',
      comment:
        'src/ is what ships: the built CLI still imports its packages from node_modules at run ' +
        'time, where an install without devDependencies (npm install --omit=dev) has only ' +
        '"dependencies". Type-only imports are erased and allowed; tests and configs may use ' +
        'devDependencies.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'Every import resolves to a file or an installed package, WGSL imported with ?raw ' +
        'included (it resolves to shaders/*.wgsl).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Node builtins and packages are leaves: their insides are not ours to check.
    doNotFollow: { path: 'node_modules' },
    // Resolve as tsc does (moduleResolution bundler), and count type-only imports.
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
