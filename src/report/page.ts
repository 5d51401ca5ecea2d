// The report page's script: draws each chart of the inline data with uPlot. The HTML inlines
// this function by its source text (drawReport.toString()), so it must stay self-contained:
// nothing from this module or any import at run time, only its arguments and browser globals.
import type uPlot from 'uplot';
import type { ReportData } from './data';

export function drawReport(data: ReportData, U: typeof uPlot, doc: Document): void {
  const HEIGHT = 340;
  const tick = (v: number) => {
    const a = Math.abs(v);
    return v === 0 ? '0' : a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(3))) : v.toExponential(0).replace('e+', 'e');
  };
  // On a log axis spanning several decades only powers of ten get a label, and over many
  // decades only every k-th of them, so that the labels do not overlap.
  const values = (log: boolean) => (u: uPlot, splits: number[], axisIdx: number) => {
    const scale = u.scales[u.axes[axisIdx].scale!];
    const decades = Math.log10((scale.max ?? 10) / (scale.min ?? 1));
    const every = Math.max(1, Math.ceil(decades / 8));
    return splits.map((v) => {
      if (v == null) return '';
      if (!log || decades <= 2) return tick(v);
      const e = Math.log10(v);
      return Math.abs(e - Math.round(e)) < 1e-9 && Math.round(e) % every === 0 ? tick(v) : '';
    });
  };
  const plots: { u: uPlot; el: HTMLElement }[] = [];
  for (const chart of data.charts) {
    const el = doc.getElementById(`chart-${chart.id}`)!;
    // uPlot wants one x column for all series: the union of their x, with gaps where a series has no value.
    const xs = [...new Set(chart.series.flatMap((s) => s.x))].sort((a, b) => a - b);
    const at = new Map(xs.map((x, i) => [x, i]));
    const columns = chart.series.map((s) => {
      const col: (number | null)[] = xs.map(() => null);
      s.x.forEach((x, k) => { col[at.get(x)!] = s.y[k]; });
      return col;
    });
    // Threshold marks may lie beyond the data: then the x range takes them in.
    const xAll = [...xs, ...chart.marks.map((m) => m.x)];
    const [x0, x1] = [Math.min(...xAll), Math.max(...xAll)];
    const xScale: uPlot.Scale = { time: false, distr: chart.x.log ? 3 : 1 };
    if (chart.marks.length > 0) xScale.range = chart.x.log ? [x0 / 1.5, x1 * 1.5] : [x0, x1];
    const scale = (log: boolean, range?: [number, number]): uPlot.Scale => ({
      distr: log ? 3 : 1,
      ...(range ? { range } : {}),
    });
    const axisFont = '12px system-ui, sans-serif';
    const axes: uPlot.Axis[] = [
      { label: chart.x.label, values: values(chart.x.log), font: axisFont, labelFont: axisFont },
      { scale: 'y', label: chart.y.label, values: values(chart.y.log), font: axisFont, labelFont: axisFont, size: 60 },
    ];
    if (chart.y2) axes.push({ scale: 'y2', side: 1, label: chart.y2.label, values: values(chart.y2.log), grid: { show: false }, font: axisFont, labelFont: axisFont, size: 60 });
    const marks = (u: uPlot) => {
      const ctx = u.ctx, r = U.pxRatio;
      ctx.save();
      ctx.strokeStyle = '#b03a2e';
      ctx.fillStyle = '#b03a2e';
      ctx.lineWidth = r;
      ctx.setLineDash([4 * r, 4 * r]);
      ctx.font = `${11 * r}px system-ui, sans-serif`;
      chart.marks.forEach((m, k) => {
        const px = u.valToPos(m.x, 'x', true);
        ctx.beginPath();
        ctx.moveTo(px, u.bbox.top);
        ctx.lineTo(px, u.bbox.top + u.bbox.height);
        ctx.stroke();
        const w = ctx.measureText(m.label).width;
        // Labels go left of their line near the right edge, and step down so neighbours do not overlap.
        const left = px + 4 * r + w > u.bbox.left + u.bbox.width;
        ctx.fillText(m.label, left ? px - 4 * r - w : px + 4 * r, u.bbox.top + (14 + 14 * k) * r);
      });
      ctx.restore();
      // The spread over seeds: a vertical whisker with caps at each point that has one.
      chart.series.forEach((s, j) => {
        if (!s.lo || !s.hi || !u.series[j + 1].show) return;
        const scaleKey = s.axis === 'right' ? 'y2' : 'y';
        ctx.save();
        ctx.strokeStyle = s.color;
        ctx.lineWidth = 1.2 * r;
        s.x.forEach((x, k) => {
          const [lo, hi] = [s.lo![k], s.hi![k]];
          if (lo == null || hi == null) return;
          const px = u.valToPos(x, 'x', true), top = u.valToPos(hi, scaleKey, true), bottom = u.valToPos(lo, scaleKey, true);
          ctx.beginPath();
          ctx.moveTo(px, top);
          ctx.lineTo(px, bottom);
          ctx.moveTo(px - 3 * r, top);
          ctx.lineTo(px + 3 * r, top);
          ctx.moveTo(px - 3 * r, bottom);
          ctx.lineTo(px + 3 * r, bottom);
          ctx.stroke();
        });
        ctx.restore();
      });
    };
    const opts: uPlot.Options = {
      width: el.clientWidth,
      height: HEIGHT,
      scales: {
        x: xScale,
        y: scale(chart.y.log, chart.y.range),
        ...(chart.y2 ? { y2: scale(chart.y2.log, chart.y2.range) } : {}),
      },
      axes,
      series: [
        { label: chart.x.label, value: (_u, v) => (v == null ? '—' : tick(v)) },
        ...chart.series.map((s): uPlot.Series => ({
          label: s.label,
          stroke: s.color,
          width: 1.6,
          dash: s.dash ? [6, 4] : undefined,
          scale: s.axis === 'right' ? 'y2' : 'y',
          spanGaps: true,
          points: { show: s.points, size: 6, fill: s.color },
          value: (_u, v) => (v == null ? '—' : tick(v)),
        })),
      ],
      hooks: { draw: [marks] },
      // A static report: the legend names the series, without live values.
      legend: { live: false },
    };
    plots.push({ u: new U(opts, [xs, ...columns] as uPlot.AlignedData, el), el });
  }
  addEventListener('resize', () => plots.forEach(({ u, el }) => u.setSize({ width: el.clientWidth, height: HEIGHT })));
}
