// What a run of the CPU pool hands back besides its record: kept apart from the worker so that
// plans (src/report/suite.ts) can name it without Node's modules.
export interface Keep {
  /** Every logged row. */
  rows?: boolean;
  /** X, y and the weights at initialization and at the end. */
  tensors?: boolean;
}
