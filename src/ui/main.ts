// The page and the embeddable widget (the same page; #embed=1 makes it compact): settings
// from the URL hash, the backend, runs with Start/Pause/Resume/Reset, charts redrawn once per
// display frame, the status line, exports, and the postMessage API for an embedding page.
import { stabilityWarning, summarize } from '../train/summary';
import { resolveConfig } from '../config/resolve';
import { ConfigError, buildConfig, type Config } from '../config/schema';
import { rowsToCsv } from '../model/metrics';
import { softwareNote } from '../model/engine';
import { CHARTS, Charts, PALETTE, drawsIn, type ChartId } from './charts';
import { button, el } from './dom';
import { download } from './download';
import { bytes, duration, num, rate, runDetails, runLabels } from '../train/format';
import { formatHash, parseHash } from './hash';
import { BrowserBackend } from '../train/backend_browser';
import { Run, type RunHooks } from './runner';
import { SettingsForm } from './settings_form';
import { listenToParent, postToParent } from './widget_api';
import './style.css';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

// ---- page options from the hash -------------------------------------------------------------

const link = parseHash(location.hash);
const page = link.page;
document.body.classList.toggle('embed', page.embed);
// tsconfig's lib has no DOM.Iterable: NodeLists are walked with forEach.
for (const part of page.hide) document.querySelectorAll<HTMLElement>(`[data-part="${part}"]`).forEach((e) => { e.hidden = true; });
if (page.embed) $<HTMLDetailsElement>('settings').open = false;

// ---- notices ----------------------------------------------------------------------------------

const notices = new Map<string, HTMLElement>();

/** One notice per key (a newer one replaces it); the text is always set as text, never HTML. */
function notify(key: string, kind: 'info' | 'warn' | 'error', text: string, action?: { label: string; run: () => void }): void {
  dismiss(key);
  const box = el('div', { className: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, el('span', { textContent: text }));
  box.dataset.notice = key;
  if (action) box.append(button(action.label, action.run));
  box.append(button('×', () => dismiss(key), 'Dismiss'));
  $('notices').append(box);
  notices.set(key, box);
}

/** A reason (lower case, maybe ending in a period) as a sentence of a notice. */
function sentence(reason: string): string {
  return `${reason[0].toUpperCase()}${reason.slice(1).replace(/\.*$/, '')}.`;
}

function dismiss(key: string): void {
  notices.get(key)?.remove();
  notices.delete(key);
}

// ---- state ------------------------------------------------------------------------------------

let backend: BrowserBackend | null = null;
const runs: Run[] = [];
/** The run the buttons and the status line act on: the latest one. */
let current: Run | null = null;
let nextId = 1;
/** A trainer is being created (shaders compile, buffers fill): seconds on a software adapter. */
let preparing = false;
/** An error not tied to a run (bad start request, a run that could not be created). */
let pageError: string | null = null;
/** The parent asked to stop: the pause that follows ends the run as far as it is concerned. */
let stopRequested = false;
/** A start that came before the widget was ready or while a run was being prepared: it runs next. */
let startPending = false;
let planOk = false;
let dirty = true;

const form = new SettingsForm($('groups'), { preset: $('preset-slot'), stopAtEps: $('stop-slot') }, refreshPlan);
const charts = new Charts(
  { loss: $('chart-loss'), movement: $('chart-movement'), activation: $('chart-activation'), kernel: $('chart-kernel') },
  page.embed ? 170 : 230,
  page.ranges,
);

// Keys that are valid alone but not together (linearized with n > 4096) are dropped one by one,
// each named with its reason, rather than leaving a page that cannot start.
for (;;) {
  try {
    form.set(buildConfig(link.given));
    break;
  } catch (e) {
    if (!(e instanceof ConfigError) || !(e.key in link.given)) throw e;
    link.ignored.push(e.message);
    delete (link.given as Record<string, unknown>)[e.key];
  }
}
// A link whose settings were not all taken does not run: what would run is not what it asked for.
const autorun = page.autorun && link.ignored.length === 0;
if (link.ignored.length)
  notify('link', 'warn', `Ignored in the link (defaults used instead): ${link.ignored.join('; ')}${page.autorun ? '. Not started: check the settings, then press Start.' : ''}`);

// ---- plan: what the run needs, before Start ---------------------------------------------------

function refreshPlan(): void {
  const { config, errors } = form.validate();
  const plan = $('plan');
  planOk = false;
  plan.className = '';
  if (!config) {
    form.showResolved(null);
    plan.textContent = `Fix the highlighted setting${errors.size > 1 ? 's' : ''}: ${[...errors.values()].join('; ')}`;
    plan.className = 'bad';
  } else {
    const r = resolveConfig(config);
    form.showResolved(r);
    if (!page.embed) history.replaceState(null, '', formatHash(config, page));
    if (backend) {
      try {
        const need = backend.check(r);
        plan.textContent = `This run needs ${bytes(need)} on ${backend.info.name} · ${(r.m * r.d).toLocaleString('en-US')} first-layer weights for n = ${r.n} samples (m·d/n = ${num((r.m * r.d) / r.n)}) · κ = ${num(r.outputScale)}`;
        planOk = true;
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        plan.textContent = `This device cannot run it: ${e.message}`;
        plan.className = 'bad';
      }
    } else plan.textContent = 'Looking for a WebGPU adapter…';
  }
  refreshShare(config);
  // The charts follow the settings too (the tangent kernel's is shown with spectrum on).
  dirty = true;
  render();
}

/** The link (the hash holds the last valid config) and an iframe snippet of the same config. */
function refreshShare(config: Config | null): void {
  $<HTMLInputElement>('share-link').value = location.href;
  if (!config) return;
  const src = `${location.origin}${location.pathname}${formatHash(config, { embed: true, autorun: true, hide: ['controls', 'share'] })}`;
  $<HTMLTextAreaElement>('share-embed').value = `<iframe src="${src}" width="100%" height="640" style="border:0" title="shallow-gd" loading="lazy"></iframe>`;
}

// ---- runs -------------------------------------------------------------------------------------

function summaryOf(run: Run) {
  return summarize(run.config, run.result!, run);
}

const hooks: RunHooks = {
  row(run, row) {
    dirty = true;
    postToParent({
      type: 'shallow-gd:progress', run: run.id, step: row.step, loss: row.loss, lossRatio: row.loss_ratio,
      stepsPerSecond: run.progress?.stepsPerSecond ?? null, row,
    });
  },
  changed() {
    dirty = true;
  },
  settled(run) {
    if (!runs.includes(run)) return;
    if (run.phase === 'done' || (run.phase === 'paused' && stopRequested && run === current)) {
      postToParent({ type: 'shallow-gd:done', run: run.id, summary: summaryOf(run) });
      const s = run.result!.suggested;
      if (s)
        notify('diverged', 'warn', `Run #${run.id} diverged at step ${run.result!.stepsDone} (L/L0 passed divergeAt). λ_max(H) was at most ${num(s.lambdaMax)} at ${s.from}; rates that bring it to ${num(s.bound)}: etaW = ${num(s.etaW)}, etaA = ${num(s.etaA)}.`, {
          label: 'Use these rates',
          run: () => {
            const { config } = form.read();
            if (config) form.set({ ...config, etaW: s.etaW, etaA: s.etaA });
            refreshPlan();
          },
        });
    } else if (run.phase === 'failed') {
      postToParent({ type: 'shallow-gd:error', run: run.id, message: run.error! });
      // A lost device has its own notice (with Restart); other failures get theirs here.
      if (!backend?.lost) notify('run-error', 'error', `Run #${run.id} failed: ${run.error}`);
    }
    renderRuns();
    render();
  },
};

async function start(): Promise<void> {
  if (preparing || !backend) return;
  stopRequested = false;
  pageError = null;
  dismiss('run-error');
  dismiss('diverged');
  const { config, labelValues, errors } = form.validate();
  if (!config) return fail([...errors.values()].join('; '));
  // A run that is still going or paused ends here; its curves stay on the charts.
  if (current && (current.phase === 'running' || current.phase === 'paused')) await current.discard();
  preparing = true;
  render();
  try {
    if (backend.lost) {
      // Start after a lost device is the restart: a new device, the same settings.
      await backend.connect();
      dismiss('lost');
      announceBackend(backend);
    }
    const trainer = await backend.create(resolveConfig(config), labelValues);
    const run = new Run(nextId, PALETTE[(nextId - 1) % PALETTE.length], trainer, hooks);
    nextId++;
    runs.push(run);
    current = run;
    run.resume();
    // A stop that came while the run was being prepared ends it at once (with its summary).
    if (stopRequested) run.pause();
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  } finally {
    preparing = false;
    renderRuns();
    dirty = true;
    render();
  }
  if (startPending) {
    startPending = false;
    void start();
  }
}

function fail(message: string): void {
  pageError = message;
  notify('run-error', 'error', `Could not start: ${message}`);
  postToParent({ type: 'shallow-gd:error', run: null, message });
  render();
}

async function remove(run: Run): Promise<void> {
  runs.splice(runs.indexOf(run), 1);
  if (current === run) current = runs.at(-1) ?? null;
  dirty = true;
  renderRuns();
  render();
  await run.discard();
}

async function reset(): Promise<void> {
  const all = runs.splice(0);
  current = null;
  pageError = null;
  for (const key of ['run-error', 'diverged']) dismiss(key);
  dirty = true;
  renderRuns();
  render();
  await Promise.all(all.map((r) => r.discard()));
}

// ---- rendering --------------------------------------------------------------------------------

function bodyState(): 'idle' | 'running' | 'done' | 'error' {
  if (pageError) return 'error';
  if (preparing) return 'running';
  switch (current?.phase) {
    case 'running':
      return 'running';
    case 'done':
      return 'done';
    case 'failed':
      return 'error';
    case 'paused':
      return stopRequested ? 'done' : 'idle';
    default:
      return 'idle';
  }
}

function outcomeText(run: Run): string {
  const r = run.result;
  const step = run.rows.at(-1)?.step ?? 0;
  switch (run.phase) {
    case 'running':
      return `running, step ${run.progress?.step ?? step}`;
    case 'paused':
      return `${run === current && stopRequested ? 'stopped' : 'paused'} at step ${step}`;
    case 'failed':
      return `failed: ${run.error}`;
    case 'done':
      if (!r) return 'done';
      if (r.outcome === 'converged') return `converged: L/L0 < ${run.config.eps} at step ${r.stepsToEps}`;
      if (r.outcome === 'diverged') return `diverged at step ${r.stepsDone}`;
      if (r.outcome === 'stopped') return `stopped at step ${r.stepsDone}`;
      return `all ${r.stepsDone} steps run, L/L0 = ${num(run.rows.at(-1)!.loss_ratio)}${r.stepsToEps !== null ? ` (below eps at step ${r.stepsToEps})` : ''}`;
  }
}

function statusItems(): [string, string][] {
  const info = current?.backend ?? backend?.info;
  const note = info?.kind === 'cpu' ? ' (no WebGPU)' : info?.software ? ' (software adapter: not GPU speeds)' : '';
  const adapter = info ? `${info.name}${note}` : 'looking for WebGPU…';
  const items: [string, string][] = [['adapter', adapter]];
  if (preparing) return [...items, ['state', 'preparing the run (compiling shaders, filling buffers)…']];
  if (!current) return [...items, ['state', backend ? 'ready' : 'starting']];
  const last = current.rows.at(-1);
  const p = current.progress;
  const fresh = p && (!last || p.step >= last.step) && current.phase === 'running';
  const steps = current.result?.stepsPerSecond ?? p?.stepsPerSecond;
  items.push(
    ['run', `#${current.id}: ${outcomeText(current)}`],
    ['step', `${fresh ? p.step : last?.step ?? 0} / ${current.config.steps}`],
    ['loss', num(fresh ? p.loss : last?.loss ?? NaN)],
    ['L/L0', num(fresh ? p.lossRatio : last?.loss_ratio ?? NaN)],
    ['steps/s', steps === undefined ? '—' : `${rate(steps)}${softwareNote(current.backend) ? ' (software)' : ''}`],
    ['ETA', current.phase === 'running' && p ? duration(p.etaSeconds) : '—'],
    ['memory', bytes(current.memoryBytes)],
  );
  // The stability monitor's warning, from the first row at the edge of stability.
  const edge = current.rows.find((row) => stabilityWarning(row) !== null);
  if (edge) items.push(['stability', stabilityWarning(edge)!]);
  return items;
}

function render(): void {
  document.body.dataset.state = bodyState();
  const phase = current?.phase;
  const ready = Boolean(backend) && !preparing;
  $<HTMLButtonElement>('start').disabled = !ready || !planOk || phase === 'running';
  $<HTMLButtonElement>('pause').disabled = phase !== 'running';
  $<HTMLButtonElement>('resume').disabled = !ready || phase !== 'paused';
  $<HTMLButtonElement>('reset').disabled = preparing || (runs.length === 0 && !pageError);
  $('status').replaceChildren(...statusItems().map(([k, v]) => el('div', {}, el('dt', { textContent: k }), el('dd', { textContent: v }))));
}

/** Each listed run's outcome line, refreshed every frame without rebuilding the list (and its buttons). */
const outcomeLines = new Map<Run, HTMLElement>();

function renderRuns(): void {
  $('runs-empty').hidden = runs.length > 0;
  outcomeLines.clear();
  const labels = runLabels(runs.map((r) => r.config));
  $('runs').replaceChildren(
    ...runs.map((run, k) => {
      const name = `shallow-gd-run${run.id}-m${run.config.m}`;
      const swatch = el('span', { className: 'swatch' });
      swatch.style.background = run.color;
      return el(
        'li',
        { className: 'run' },
        swatch,
        el(
          'div',
          { className: 'run-text' },
          el('div', {}, el('b', { textContent: `#${run.id} ` }), labels[k]),
          el('div', { className: 'muted', textContent: `${runDetails(run.config)} · ${run.backend.name}` }),
          outcomeLine(run),
        ),
        el(
          'div',
          { className: 'run-actions' },
          button('CSV', () => download(`${name}-metrics.csv`, rowsToCsv(run.rows), 'text/csv'), 'Logged metrics as CSV'),
          button('JSON', () => download(`${name}-metrics.json`, JSON.stringify(run.rows, null, 1), 'application/json'), 'Logged metrics as JSON'),
          button('config', () => download(`${name}-config.json`, JSON.stringify(run.config, null, 2), 'application/json'), 'The resolved config as JSON'),
          button('×', () => void remove(run), 'Remove this run from the charts'),
        ),
      );
    }),
  );
}

function outcomeLine(run: Run): HTMLElement {
  const line = el('div');
  outcomeLines.set(run, line);
  refreshOutcome(run, line);
  return line;
}

function refreshOutcome(run: Run, line: HTMLElement): void {
  line.className = `outcome ${run.phase}`;
  line.textContent = outcomeText(run);
}

/** Redraws at most once per display frame, however fast rows arrive. */
function frame(): void {
  if (dirty) {
    dirty = false;
    outcomeLines.forEach((line, run) => refreshOutcome(run, line));
    const labels = runLabels(runs.map((r) => r.config));
    const traces = runs.map((r, k) => ({ id: r.id, color: r.color, label: labels[k], instruments: { spectrum: r.config.spectrum, linearized: r.config.linearized }, rows: r.rows }));
    // The tangent kernel's chart only where a run measures its spectrum (or the next one will).
    const spectrum = drawsIn('kernel', traces) || form.read().config?.spectrum === true;
    $('chart-kernel').closest('figure')!.hidden = page.hide.includes('kernel') || !spectrum;
    charts.draw(traces);
    render();
  }
  requestAnimationFrame(frame);
}

// ---- wiring -----------------------------------------------------------------------------------

// A link pasted over this one changes only the hash, which reloads nothing by itself; the page's
// own edits go through replaceState and fire no hashchange.
window.addEventListener('hashchange', () => location.reload());
$('start').addEventListener('click', () => void start());
$('pause').addEventListener('click', () => current?.pause());
$('resume').addEventListener('click', () => {
  stopRequested = false;
  current?.resume();
  render();
});
$('reset').addEventListener('click', () => void reset());
$<HTMLSelectElement>('x-axis').addEventListener('change', (e) => charts.setLogSteps((e.target as HTMLSelectElement).value === 'log'));
document.querySelectorAll<HTMLButtonElement>('button.png').forEach((b) => {
  const id = b.dataset.chart as ChartId;
  b.addEventListener('click', () =>
    charts.png(id).then((blob) => download(`shallow-gd-${id}.png`, blob), (e: Error) => notify('png', 'error', `${CHARTS[id].title}: ${e.message}`)));
});
document.querySelectorAll<HTMLButtonElement>('button[data-copy]').forEach((b) => {
  b.addEventListener('click', () => {
    const field = $<HTMLInputElement | HTMLTextAreaElement>(b.dataset.copy!);
    field.select();
    navigator.clipboard?.writeText(field.value).then(() => { b.textContent = 'Copied'; }, () => { b.textContent = 'Press Ctrl+C'; });
    setTimeout(() => { b.textContent = 'Copy'; }, 1500);
  });
});

listenToParent((m) => {
  if (m.type === 'shallow-gd:stop') {
    if (preparing || startPending) {
      stopRequested = true;
      startPending = false;
    } else if (current?.phase === 'running') {
      stopRequested = true;
      current.pause();
    } else return postToParent({ type: 'shallow-gd:rejected', request: 'stop', reason: 'no run is being prepared or running' });
    return postToParent({ type: 'shallow-gd:accepted', request: 'stop', queued: false });
  }
  if (m.config) {
    let config: Config;
    try {
      config = buildConfig(m.config);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      fail(e.message);
      return postToParent({ type: 'shallow-gd:rejected', request: 'start', reason: e.message });
    }
    form.set(config);
    refreshPlan();
  }
  // Refused as a person's Start would be: settings the form marks, or a run this device cannot hold.
  const { errors } = form.validate();
  if (errors.size) return postToParent({ type: 'shallow-gd:rejected', request: 'start', reason: [...errors.values()].join('; ') });
  if (backend && !planOk) return postToParent({ type: 'shallow-gd:rejected', request: 'start', reason: $('plan').textContent ?? '' });
  // Before the widget is ready, or while a run is being prepared, the start waits its turn.
  const queued = !backend || preparing;
  postToParent({ type: 'shallow-gd:accepted', request: 'start', queued });
  if (queued) startPending = true;
  else void start();
});

function announceBackend(b: BrowserBackend): void {
  if (b.reason)
    notify('backend', 'warn', `${sentence(b.reason)} Runs use the float64 CPU reference instead: right for small problems, slow for large ones.`);
  else {
    dismiss('backend');
    // The widget's status line already says so; the page says it once more, plainly.
    if (b.info.software && !page.embed) notify('backend', 'info', `${b.info.name} is a software adapter: WebGPU runs emulated on the CPU, so speeds here are not GPU speeds.`);
  }
}

refreshPlan();
requestAnimationFrame(frame);
BrowserBackend.acquire((message) => {
  notify('lost', 'error', `${sentence(message)} The charts are kept; Restart gets a new device and starts the current settings again.`, {
    label: 'Restart',
    run: () => void start(),
  });
  render();
}).then((b) => {
  backend = b;
  announceBackend(b);
  refreshPlan();
  postToParent({ type: 'shallow-gd:ready', backend: b.info });
  if (autorun || startPending) {
    startPending = false;
    void start();
  }
});
