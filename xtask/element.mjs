// The element's build for a page's script tag (run by `cargo xtask build`, from www/):
// scenic-viewer.min.js, the element and the features every page uses in one file; and each
// feature that only some pages use (AR, tours, panoramas, 3D Tiles) in its own file beside its
// source (features/ar.min.js, …), fetched when a page turns to it. Those four are 12 KB of the
// 31 KB gzip that every page had downloaded.
//
// Not esbuild's --splitting: it puts what the entry shares with those features (lang.js,
// toolbar.js: 0.4 KB) in chunks of their own, which the entry imports at once: a round trip
// more (150 ms on a slow 4G link) before the element runs. Here each lazy file carries its own
// copy of those helpers, which are plain functions.
import * as esbuild from 'esbuild';

// The lazy features' names, as xtask/src/build.rs's LAZY_FEATURES hands them over.
const LAZY = process.argv.slice(2);
if (!LAZY.length || !LAZY.every((n) => /^[a-z]+$/.test(n))) throw new Error(`element.mjs: lazy feature names expected, got ${JSON.stringify(LAZY)}`);
const common = { bundle: true, minify: true, format: 'esm', logLevel: 'warning' };

// The entry's `import('./features/tour.js')` becomes `import('./features/tour.min.js')`.
const lazyFeatures = {
  name: 'lazy-features',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^\\./features/(${LAZY.join('|')})\\.js$`) }, (args) => ({ path: args.path.replace(/\.js$/, '.min.js'), external: true }));
  },
};

await esbuild.build({ ...common, entryPoints: ['scenic-viewer.js'], outfile: 'scenic-viewer.min.js', external: ['./pkg/*'], plugins: [lazyFeatures] });
for (const name of LAZY) {
  await esbuild.build({ ...common, entryPoints: [`features/${name}.js`], outfile: `features/${name}.min.js`, external: ['../pkg/*'] });
}
