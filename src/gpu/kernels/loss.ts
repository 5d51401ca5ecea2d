import source from '../../../shaders/loss.wgsl?raw';
import type { Shared } from '../buffers';
import { HALTING } from '../libraries';
import type { Dispatch, GpuContext } from '../program';
import { bindingTable, type KernelSource } from '../wgsl';

const BINDINGS = bindingTable('loss', [['dims', 'uniform', 'Dims'], ['status', 'read_write', 'Status']]);
const KERNEL: KernelSource = { name: 'loss', bindings: BINDINGS, libraries: [HALTING], source };

/** L = ½Σr², its record in the status buffer (L0 at step 0), and the halting rule. One workgroup. */
export function loss(ctx: GpuContext, s: Shared): Dispatch {
  return { pipeline: ctx.pipeline(KERNEL), group: ctx.group(BINDINGS, { dims: s.dims, status: s.status }), x: 1 };
}
