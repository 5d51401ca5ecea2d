// The report as one self-contained HTML file: uPlot's script and style inlined, the data as
// inline JSON, and the page script that draws the charts from it. Opens offline.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ReportData } from './data';
import { drawReport } from './page';
import { duration } from '../train/format';

/**
 * uPlot's files, read from the installed package when a report is written (the CLI runs from
 * the repository, next to node_modules). Not imported with ?raw: vitest turns every imported
 * .css, ?raw included, into an empty string, so the tests would check a report without style.
 */
function uplotFile(name: 'uPlot.iife.min.js' | 'uPlot.min.css'): string {
  return readFileSync(createRequire(import.meta.url).resolve(`uplot/dist/${name}`), 'utf8');
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Text inside <script> ends at the first `</script`; JSON escapes `<` instead, script text cannot contain it. */
const jsonForScript = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
function scriptText(js: string): string {
  if (/<\/script/i.test(js)) throw new Error('inline script contains </script');
  return js;
}

const STYLE = `
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d1d1f; margin: 0; background: #fafafa; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 1.55em; margin: 0 0 4px; }
h2 { font-size: 1.15em; margin: 36px 0 4px; }
.meta { color: #555; font-size: 0.9em; margin: 0 0 12px; }
.meta dt { float: left; clear: left; width: 7.5em; color: #777; }
.meta dd { margin: 0 0 0 7.5em; }
.headline { background: #f1f5fb; border-left: 4px solid #1f6fd1; padding: 10px 14px; margin: 16px 0; }
.caption { margin: 4px 0 10px; }
.chart { width: 100%; min-height: 340px; }
.csv { font-size: 0.85em; color: #555; margin: 4px 0 0; }
footer { color: #666; font-size: 0.85em; margin-top: 40px; border-top: 1px solid #ddd; padding-top: 10px; }
.u-legend { font-size: 12px; text-align: left; }
.u-legend .u-series { padding: 1px 6px; }
`;

export function reportHtml(data: ReportData): string {
  const sections = data.charts.map(
    (c) => `<section id="${escapeHtml(c.id)}">
<h2>${escapeHtml(c.title)}</h2>
<p class="caption">${escapeHtml(c.caption)}</p>
<div class="chart" id="chart-${escapeHtml(c.id)}"></div>
<p class="csv">data: ${c.csv.map((f) => `<a href="${escapeHtml(encodeURI(f))}">${escapeHtml(f)}</a>`).join(', ')}</p>
</section>`,
  );
  const meta: [string, string][] = [
    ['generated', new Date(data.generated).toUTCString()],
    ['backend', data.backend],
    ['suite', `${data.size}: ${data.problem}`],
    ['runs', `${data.runs} in ${duration(data.wallSeconds)}`],
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${uplotFile('uPlot.min.css')}</style>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(data.title)}</h1>
<dl class="meta">${meta.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
<p class="headline">${escapeHtml(data.headline)}</p>
${sections.join('\n')}
<footer>shallow-gd experiments: f(x) = κ Σ a_r relu(⟨w_r, x⟩) trained by full-batch gradient descent on L = ½‖f − y‖², both layers at once.
Thresholds (MODEL.md): m(d+1) ≥ n parameter count, m·d ≥ n² Oymak–Soltanolkotabi 2020, m ≥ n² Nguyen 2021, m ≥ n⁶/λ₀⁴ Du et al. 2019.
Whiskers: 95% Wilson intervals of a success probability, 95% intervals of a critical width, or quartiles over seeds, as each caption says.</footer>
</main>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${scriptText(uplotFile('uPlot.iife.min.js'))}</script>
<script>${scriptText(`(${drawReport.toString()})(JSON.parse(document.getElementById('report-data').textContent), uPlot, document);`)}</script>
</body>
</html>
`;
}
