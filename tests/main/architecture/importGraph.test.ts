/**
 * No import cycles in main/ or preload/, type-only imports included. Lint's import-x/no-cycle
 * sees only imports that exist at run time; a cycle of types still ties two modules together
 * (neither can be read, moved or tested alone), so this walks every import TypeScript sees.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const root = resolve(__dirname, '../../..')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return name.endsWith('.ts') ? [path] : []
  })
}

/** The file a relative specifier names (`./x` → x.ts or x/index.ts), if it is one of ours. */
function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined
  const base = resolve(dirname(from), specifier)
  return [`${base}.ts`, join(base, 'index.ts'), base].find(
    (candidate) => candidate.endsWith('.ts') && existsSync(candidate)
  )
}

/** Every import and re-export of each file, `import type` included. */
function importGraph(files: string[]): Map<string, string[]> {
  return new Map(
    files.map((file) => {
      const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
      const targets = info.importedFiles
        .map((imported) => resolveImport(file, imported.fileName))
        .filter((target): target is string => target !== undefined)
      return [file, targets]
    })
  )
}

/** Strongly connected components with more than one module (Tarjan), or a module importing itself. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  let next = 0
  const visit = (node: string): void => {
    index.set(node, next)
    low.set(node, next++)
    stack.push(node)
    onStack.add(node)
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target)
        low.set(node, Math.min(low.get(node)!, low.get(target)!))
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!))
    }
    if (low.get(node) !== index.get(node)) return
    const component: string[] = []
    let member: string
    do {
      member = stack.pop()!
      onStack.delete(member)
      component.push(member)
    } while (member !== node)
    if (component.length > 1 || graph.get(node)?.includes(node)) found.push(component)
  }
  for (const node of graph.keys()) if (!index.has(node)) visit(node)
  return found.map((c) => c.map((file) => relative(root, file)).sort())
}

describe('the import graph', () => {
  const files = ['main', 'preload'].flatMap((dir) => sourceFiles(join(root, dir)))
  const graph = importGraph(files)

  it('is read from the real sources', () => {
    expect(files.length).toBeGreaterThan(100)
    // The engine host imports the protocol: the walk sees relative imports.
    expect(graph.get(join(root, 'main/engine/engineHost.ts'))).toContain(
      join(root, 'main/engine/engineMessages.ts')
    )
  })

  it('finds a cycle when there is one', () => {
    const a = join(root, 'a.ts')
    const b = join(root, 'b.ts')
    expect(
      cycles(
        new Map([
          [a, [b]],
          [b, [a]]
        ])
      )
    ).toEqual([['a.ts', 'b.ts']])
  })

  it('has no cycles in main/ or preload/, type-only imports included', () => {
    expect(cycles(graph)).toEqual([])
  })
})
