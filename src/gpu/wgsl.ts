// How a kernel's WGSL is put together: its bindings come from one table in its host module
// (which writes both the WGSL declarations and the named bind-group entries), and the
// libraries it uses are imported by name, each saying what it needs from the kernel.
//
// Libraries are plain .wgsl files with a TypeScript record of their imports and needs rather
// than a WGSL linker (wesl): five small files, each needing one or two names, do not call for
// a linker and its build plugin, and the kernels' text stays exactly what was measured.

/** How a kernel uses a binding. */
export type Access = 'uniform' | 'read' | 'read_write';

export interface BindingSpec<N extends string = string> {
  name: N;
  access: Access;
  /** The WGSL type of the variable (`Dims`, `array<vec4<f32>>`, …). */
  type: string;
}

const BUFFER_TYPE: Record<Access, GPUBufferBindingType> = { uniform: 'uniform', read: 'read-only-storage', read_write: 'storage' };
const ADDRESS_SPACE: Record<Access, string> = { uniform: 'uniform', read: 'storage, read', read_write: 'storage, read_write' };

/** A kernel's bindings, numbered in table order in group 0. */
export class BindingTable<N extends string = string> {
  readonly names: readonly N[];

  constructor(readonly label: string, readonly specs: readonly BindingSpec<N>[]) {
    this.names = specs.map((s) => s.name);
    if (new Set(this.names).size !== this.names.length) throw new Error(`${label}: a binding name is repeated`);
  }

  /** The WGSL declarations of every binding. */
  get declarations(): string {
    return this.specs.map((s, i) => `@group(0) @binding(${i}) var<${ADDRESS_SPACE[s.access]}> ${s.name}: ${s.type};`).join('\n');
  }

  get layoutEntries(): GPUBindGroupLayoutEntry[] {
    return this.specs.map((s, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: BUFFER_TYPE[s.access] } }));
  }

  /** The buffers in binding order; a missing name is an error that names it. */
  ordered(buffers: Readonly<Record<N, GPUBuffer>>): GPUBuffer[] {
    return this.names.map((name) => {
      const b = buffers[name];
      if (!b) throw new Error(`${this.label}: no buffer for binding ${name}`);
      return b;
    });
  }
}

/** A binding table from `[name, access, WGSL type]` rows. */
export function bindingTable<const N extends string>(label: string, rows: readonly (readonly [N, Access, string])[]): BindingTable<N> {
  return new BindingTable(label, rows.map(([name, access, type]) => ({ name, access, type })));
}

/** A WGSL library: functions and constants that kernels import. */
export interface WgslLibrary {
  name: string;
  source: string;
  /** Libraries this one calls into; they come before it. */
  imports?: readonly WgslLibrary[];
  /** Names the importing kernel must declare (a binding, or a module-scope var, const or fn). */
  needs?: readonly string[];
}

/** One kernel's WGSL: its own source, its bindings, the libraries it imports. */
export interface KernelSource {
  /** Unique per source text (the pipeline cache's key). */
  name: string;
  bindings: BindingTable;
  libraries?: readonly WgslLibrary[];
  source: string;
  /** WGSL extensions the source uses (`enable` directives, which must open the module); the device must have them. */
  enables?: readonly string[];
}

/** The libraries in an order where each follows its imports, each once. */
function libraryOrder(roots: readonly WgslLibrary[]): WgslLibrary[] {
  const out: WgslLibrary[] = [];
  const visit = (lib: WgslLibrary, path: string[]) => {
    if (path.includes(lib.name)) throw new Error(`WGSL library import cycle: ${[...path, lib.name].join(' → ')}`);
    if (out.includes(lib)) return;
    for (const dep of lib.imports ?? []) visit(dep, [...path, lib.name]);
    out.push(lib);
  };
  for (const lib of roots) visit(lib, []);
  return out;
}

/** Whether `code` declares `name` at module scope (or anywhere: a check of intent, not a parser). */
function declares(code: string, name: string): boolean {
  return new RegExp(`\\b(?:var(?:<[^>]*>)?|let|const|override|fn|struct)\\s+${name}\\b`).test(code);
}

/**
 * The kernel's module text after `header` (constants and shared structs): the binding
 * declarations, the libraries in import order, then the kernel's source. Throws when a
 * library needs a name the kernel does not declare.
 */
export function composeKernel(k: KernelSource, header: string): string {
  const libs = libraryOrder(k.libraries ?? []);
  const parts = [k.bindings.declarations, ...libs.map((l) => l.source), k.source];
  const all = header + parts.join('\n');
  for (const lib of libs) {
    for (const name of lib.needs ?? []) {
      if (!k.bindings.names.includes(name) && !declares(all, name))
        throw new Error(`WGSL library ${lib.name} needs ${name}, which kernel ${k.name} does not declare`);
    }
  }
  return parts.join('\n');
}
