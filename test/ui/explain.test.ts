// "What you are seeing": sentences whose numbers come from the run's rows.
import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../src/config/resolve';
import { buildConfig } from '../../src/config/schema';
import { METRIC_COLUMNS, type Row } from '../../src/model/metrics';
import { whatYouSee } from '../../src/ui/explain';

function row(step: number, values: Partial<Row>): Row {
  return { ...(Object.fromEntries(METRIC_COLUMNS.map((c) => [c, c === 'step' ? step : NaN])) as Row), ...values };
}

describe('what you are seeing', () => {
  const config = resolveConfig(buildConfig({ n: '32', m: '8', d: '4' }));
  const rows = [
    row(0, { loss: 20, loss_ratio: 1, rel_move_w: 0, flip_frac: 0, dead_frac: 0 }),
    row(1468, { loss: 2e-5, loss_ratio: 1e-6, rel_move_w: 0.715, flip_frac: 0.134, dead_frac: 0.125 }),
  ];

  test('the loss factor, the movement, the flips and the lazy scale √(n/m), from the rows', () => {
    const lines = whatYouSee({ name: 'Run #1', config, rows, running: false });
    expect(lines[0]).toBe('Run #1: the loss fell 10⁶× in 1,468 steps, while the first layer moved 0.715× its initial norm (‖W−W₀‖/‖W₀‖) and 13% of the activation patterns (sample, neuron) flipped.');
    expect(lines[1]).toBe('In the lazy (kernel) regime the movement shrinks like √(n/m) (2 here) and few patterns flip; at this width that scale is of order 1, so the movement alone cannot tell the regimes apart; the 13% of patterns that flipped place this run beyond the lazy regime. A wider network (m = 512) shows the lazy regime.');
    // Wider: the scale is small, and a movement well past it is beyond the lazy regime.
    const wide = resolveConfig(buildConfig({ n: '32', m: '256', d: '4' }));
    expect(whatYouSee({ name: 'Run #2', config: wide, rows, running: false })[1]).toBe('In the lazy (kernel) regime the movement shrinks like √(n/m) (0.354 here) and few patterns flip; this run moved well beyond that.');
    const wider = resolveConfig(buildConfig({ n: '32', m: '1024', d: '4' }));
    const still = [rows[0], { ...rows[1], rel_move_w: 0.1 }];
    expect(whatYouSee({ name: 'Run #3', config: wider, rows: still, running: false })[1]).toBe('In the lazy (kernel) regime the movement shrinks like √(n/m) (0.177 here) and few patterns flip; this network is that wide.');
    expect(lines[2]).toBe('13% of the neurons are dead (inactive on every sample).');
    expect(lines).toHaveLength(3);
  });

  test('seeds: the median, and the share of finished seeds that converged', () => {
    const lines = whatYouSee({ name: 'Run #1–#3', config, rows, running: true, seeds: { count: 5, finished: 3, converged: 2 } });
    expect(lines[0]).toMatch(/^Run #1–#3: the median loss fell 10⁶× in 1,468 steps so far,/);
    expect(lines.at(-1)).toBe('2 of 3 finished seeds reached L/L0 < eps = 1.00e-6 (67%); 2 to go. The band spans the quartiles.');
    expect(whatYouSee({ name: 'Run #2', config, rows: [], running: true })).toEqual([]);
  });
});
