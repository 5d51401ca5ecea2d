// The logged metrics: column names (the CSV header and the JSON keys) and the row type.

export const METRIC_COLUMNS = [
  'step', 'loss', 'loss_ratio', 'rel_move_w', 'rel_move_a', 'max_neuron_move',
  'flip_frac', 'dead_frac', 'grad_norm', 'loss_per_n',
] as const;

export type MetricValues = Record<Exclude<(typeof METRIC_COLUMNS)[number], 'step'>, number>;
/** The state after `step` updates. */
export type Row = { step: number } & MetricValues;

export function rowsToCsv(rows: readonly Row[]): string {
  const lines = [METRIC_COLUMNS.join(',')];
  for (const row of rows) lines.push(METRIC_COLUMNS.map((c) => String(row[c])).join(','));
  return lines.join('\n') + '\n';
}
