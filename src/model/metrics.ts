// The logged metrics: column names (the CSV header and the JSON keys) and the row type.

/** Metrics every logged row has, in the order shaders/metrics.wgsl writes them. */
export const STATE_COLUMNS = [
  'loss', 'loss_ratio', 'rel_move_w', 'rel_move_a', 'max_neuron_move',
  'flip_frac', 'dead_frac', 'grad_norm', 'loss_per_n', 'conserved_drift',
] as const;

/** Metrics of the instruments (--spectrum, the kernel prediction, the stability monitor); NaN when not measured. */
export const INSTRUMENT_COLUMNS = ['lambda_min', 'lambda_max', 'sharpness_ratio', 'loss_kernel', 'sharpness'] as const;

export const METRIC_COLUMNS = ['step', ...STATE_COLUMNS, ...INSTRUMENT_COLUMNS] as const;

export type StateValues = Record<(typeof STATE_COLUMNS)[number], number>;
export type InstrumentValues = Record<(typeof INSTRUMENT_COLUMNS)[number], number>;
/** The state after `step` updates. */
export type Row = { step: number } & StateValues & InstrumentValues;

export const NO_INSTRUMENTS: InstrumentValues = { lambda_min: NaN, lambda_max: NaN, sharpness_ratio: NaN, loss_kernel: NaN, sharpness: NaN };

/** GD on the linearized model is unstable once λ_max(H_t) ≥ 2: the `sharpness` at which a run warns. */
export const EDGE_OF_STABILITY = 2;
export const EDGE_OF_STABILITY_WARNING = 'edge of stability: the outcome depends on the step size';

/** metrics.csv's header line, and one row's line (an empty field for a metric not measured). */
export const CSV_HEADER = METRIC_COLUMNS.join(',') + '\n';
export function csvLine(row: Row): string {
  return METRIC_COLUMNS.map((c) => (Number.isNaN(row[c]) ? '' : String(row[c]))).join(',') + '\n';
}

/** The whole CSV of some rows. */
export function rowsToCsv(rows: readonly Row[]): string {
  return CSV_HEADER + rows.map(csvLine).join('');
}
