import { gzipSync } from 'node:zlib'
import { defineConfig, type Plugin } from 'vite'
import { minifyLitTemplates } from './widget/build/minify-templates.js'

/** The widget's size budget: what a host page downloads, gzipped. */
export const gzipBudgetBytes = 75 * 1024

/** Prints each output's gzipped size after the build and fails the build when one is over budget. */
function gzipBudget(limit: number): Plugin {
  return {
    name: 'framgang-gzip-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const output of Object.values(bundle)) {
        if (output.type !== 'chunk') continue
        const raw = Buffer.byteLength(output.code)
        const gzipped = gzipSync(output.code, { level: 9 }).length
        const line = `${output.fileName}: ${(raw / 1024).toFixed(1)} KB, ${(gzipped / 1024).toFixed(1)} KB gzipped (budget ${(limit / 1024).toFixed(0)} KB)`
        if (gzipped > limit) this.error(`over the size budget: ${line}`)
        console.log(`[framgang] ${line}`)
      }
    },
  }
}

/**
 * The embeddable widget: dist/widget/framgang.js (ES module) and dist/widget/framgang.iife.js
 * (classic script), each self-contained (lit and chart.js inside) and minified.
 */
export default defineConfig({
  // Lib mode does not replace it, and a host page has no `process`.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  publicDir: false,
  plugins: [minifyLitTemplates(), gzipBudget(gzipBudgetBytes)],
  build: {
    outDir: 'dist/widget',
    emptyOutDir: true,
    copyPublicDir: false,
    target: 'es2022',
    minify: 'oxc',
    sourcemap: false,
    reportCompressedSize: false,
    lib: {
      entry: 'widget/index.ts',
      name: 'Framgang',
      formats: ['es', 'iife'],
      fileName: (format) => (format === 'es' ? 'framgang.js' : `framgang.${format}.js`),
    },
    rolldownOptions: {
      // Lib mode leaves ES output unminified without this.
      output: { minify: true },
      // chart.js keeps its unused scales (time, logarithmic, radial) alive through property reads
      // in static class fields; none of the code bundled here reads a property for its side effect.
      treeshake: { propertyReadSideEffects: false },
    },
  },
})
