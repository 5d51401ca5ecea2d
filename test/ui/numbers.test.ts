// How the page writes numbers.
import { describe, expect, test } from 'vitest';
import { factor, gridSplits, percent, powerOfTen, shown, tickLabels } from '../../src/ui/numbers';

describe('page numbers', () => {
  test('powers of ten, factors, percentages, and a dash for what was not measured', () => {
    expect([powerOfTen(-4), powerOfTen(0), powerOfTen(12)]).toEqual(['10⁻⁴', '10⁰', '10¹²']);
    expect([factor(8.134), factor(999), factor(1.004e6), factor(3.44e6), factor(9.97e6), factor(0), factor(NaN)]).toEqual(['8.13×', '999×', '10⁶×', '3.4·10⁶×', '10⁷×', '—', '—']);
    expect([percent(0.1337), percent(0.0052), percent(0), percent(NaN)]).toEqual(['13%', '0.52%', '0%', '—']);
    expect([shown(NaN), shown(null), shown(undefined), shown(0.0001), shown(12.345)]).toEqual(['—', '—', '—', '1.00e-4', '12.3']);
  });

  test('one format per axis: powers of ten on a log axis that spans one, else the same num() for every tick', () => {
    expect(tickLabels([0.0001, 0.0002, 0.0005, 0.001, 0.01], true)).toEqual(['10⁻⁴', '', '', '10⁻³', '10⁻²']);
    // A log axis within one decade has no power of ten to show: every tick in num().
    expect(tickLabels([0.2, 0.3, 0.5], true)).toEqual(['0.2', '0.3', '0.5']);
    expect(tickLabels([0, 0.05, 0.1], false)).toEqual(['0', '0.05', '0.1']);
  });

  test('grid lines at the labelled ticks only', () => {
    expect(gridSplits([0.0001, 0.0002, 0.0005, 0.001, 0.01], true)).toEqual([0.0001, null, null, 0.001, 0.01]);
    expect(gridSplits([0.2, 0.3, 0.5], true)).toEqual([0.2, 0.3, 0.5]);
    expect(gridSplits([0, 0.05, 0.1], false)).toEqual([0, 0.05, 0.1]);
  });
});
