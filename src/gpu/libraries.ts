// The WGSL libraries kernels import (src/gpu/wgsl.ts), each with what it needs of the kernel.
import batchLayout from '../../shaders/batch_layout.wgsl?raw';
import batchNeuron from '../../shaders/batch_neuron.wgsl?raw';
import batchProduct from '../../shaders/batch_product.wgsl?raw';
import batchResident from '../../shaders/batch_resident.wgsl?raw';
import batchState from '../../shaders/batch_state.wgsl?raw';
import batchStep from '../../shaders/batch_step.wgsl?raw';
import haltRule from '../../shaders/halt_rule.wgsl?raw';
import halting from '../../shaders/halting.wgsl?raw';
import lanesMemory from '../../shaders/lanes_memory.wgsl?raw';
import lanesSubgroup from '../../shaders/lanes_subgroup.wgsl?raw';
import loadX from '../../shaders/load_x.wgsl?raw';
import neuronGradient from '../../shaders/neuron_gradient.wgsl?raw';
import neuronStat from '../../shaders/neuron_stat.wgsl?raw';
import neuronSums from '../../shaders/neuron_sums.wgsl?raw';
import registerBlock from '../../shaders/register_block.wgsl?raw';
import rng from '../../shaders/rng.wgsl?raw';
import stateRow from '../../shaders/state_row.wgsl?raw';
import tileProduct from '../../shaders/tile_product.wgsl?raw';
import tiles from '../../shaders/tiles.wgsl?raw';
import type { WgslLibrary } from './wgsl';

/** The batched engine's per-run records, workgroup size and lane sum (src/gpu/kernels/batch_train.ts has their host layouts). */
export const BATCH_LAYOUT: WgslLibrary = { name: 'batch_layout', source: batchLayout, needs: ['vars1'] };
/** The halting rule on a loss (twin: haltCode() in src/reference/loss.ts). */
export const HALT_RULE: WgslLibrary = { name: 'halt_rule', source: haltRule };
/** The loss from residual.wgsl's sums and the halting rule (twin: src/reference/loss.ts). */
export const HALTING: WgslLibrary = { name: 'halting', source: halting, imports: [HALT_RULE], needs: ['dims', 'status'] };
/** Philox2x32-10 and the init parameters (twin: src/model/rng.ts). */
export const RNG: WgslLibrary = { name: 'rng', source: rng };
/** Sums and ORs across adjacent lanes by subgroup shuffles (forward=gemm's epilogue), and their fallback without subgroups. */
export const LANES_SUBGROUP: WgslLibrary = { name: 'lanes_subgroup', source: lanesSubgroup, needs: ['SUBGROUP_MIN'] };
export const LANES_MEMORY: WgslLibrary = { name: 'lanes_memory', source: lanesMemory };
export const LOAD_X: WgslLibrary = { name: 'load_x', source: loadX, needs: ['X'] };
export const NEURON_GRADIENT: WgslLibrary = { name: 'neuron_gradient', source: neuronGradient, needs: ['dims', 'X', 'r'] };
/** A neuron's metric sums as its STAT_* columns, and their reduction over neurons (twin: src/reference/neuron_stats.ts). */
export const NEURON_STAT: WgslLibrary = { name: 'neuron_stat', source: neuronStat };
export const NEURON_SUMS: WgslLibrary = { name: 'neuron_sums', source: neuronSums, imports: [NEURON_STAT], needs: ['dims', 'a', 'a0', 'stats'] };
/** A block of a batched run's neurons: their gradient sums with the weights sample_weight (the kernel's), and their flips; the loads of a block's rows. */
export const BATCH_NEURON: WgslLibrary = { name: 'batch_neuron', source: batchNeuron, imports: [BATCH_LAYOUT, NEURON_STAT], needs: ['fixed4', 'vars4', 'sample_weight'] };
/** H v for a batched run at its current state, by blocks of neurons then of samples (twin: tangentProduct in src/reference/tangent.ts). */
export const BATCH_PRODUCT: WgslLibrary = { name: 'batch_product', source: batchProduct, imports: [BATCH_NEURON], needs: ['vars1'] };
/** Where one workgroup holds a run: its residual in workgroup memory (the neuron sums' weights), and H v by the whole workgroup. */
export const BATCH_RESIDENT: WgslLibrary = { name: 'batch_resident', source: batchResident, imports: [BATCH_PRODUCT] };
/** A batched run's state as its kernels load it, and where it stands in its log. */
export const BATCH_STATE_LIB: WgslLibrary = { name: 'batch_state', source: batchState, imports: [BATCH_LAYOUT], needs: ['state', 'logged', 'params'] };
/** A logged row's columns from the reduced statistics (twin: src/reference/metrics.ts). */
export const STATE_ROW: WgslLibrary = { name: 'state_row', source: stateRow };
/** The parts of a batched step both schedules share: residual and neuron blocks, statistics, the loss's bookkeeping, rows. */
export const BATCH_STEP: WgslLibrary = { name: 'batch_step', source: batchStep, imports: [BATCH_NEURON, HALT_RULE, STATE_ROW], needs: ['fixed1', 'vars1', 'rows', 'params'] };
/** The 4×4 register block of X·Wᵀ (forward_blocked, the register-blocked yardstick). */
export const REGISTER_BLOCK: WgslLibrary = { name: 'register_block', source: registerBlock, needs: ['X', 'W'] };
/** The 64×64 workgroup tile of X·Wᵀ (forward_tiled, the tiled yardstick). */
export const TILE_PRODUCT: WgslLibrary = { name: 'tile_product', source: tileProduct, needs: ['X', 'W'] };
/** Samples staged through workgroup memory (the tiled backward and statistics). */
export const TILES: WgslLibrary = { name: 'tiles', source: tiles, needs: ['dims', 'X', 'r', 'xt', 'rt'] };
