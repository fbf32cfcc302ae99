import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package root (where package.json lives), found by walking up: tsc or a bundler may move this file. */
function findRoot(start: string): string {
  let dir = start
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'sql'))) return dir
    const parent = path.dirname(dir)
    if (parent === dir) return process.cwd()
    dir = parent
  }
}

export const projectRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)))
