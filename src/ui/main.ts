// The page and the embeddable widget (the same page; #embed=1 makes it compact): settings
// from the URL hash, the backend, runs with Start/Pause/Resume/Reset (several seeds together),
// charts redrawn at most ten times a second, the status line, "what you are seeing", exports, and
// the postMessage API for an embedding page. Runs are prepared and trained in workers
// (src/ui/worker_backend.ts): the main thread only draws.
import { stabilityWarning, summarize } from '../train/summary';
import { resolveConfig } from '../config/resolve';
import { ConfigError, buildConfig, type Config } from '../config/schema';
import { rowsToCsv } from '../model/metrics';
import { softwareNote } from '../model/engine';
import { CHARTS, Charts, PALETTE, drawsIn, type ChartId, type Trace } from './charts';
import { button, el } from './dom';
import { download } from './download';
import { bytes, duration, num, rate, runDetails, runLabels } from '../train/format';
import { percent, shown } from './numbers';
import { formatHash, parseHash } from './hash';
import type { SetupEvent } from '../train/trainer';
import { whatYouSee, type Seen } from './explain';
import { MAX_SEEDS, seedCount } from './hash';
import { Run, type Phase, type RunHooks } from './runner';
import { median, quartiles, seedsOf } from './seeds';
import { SettingsForm } from './settings_form';
import { parentChannel } from './widget_api';
import { Cancelled, PageBackend, type PageTrainer } from './worker_backend';
import { inPageWords } from './words';
import './style.css';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

// ---- page options from the hash -------------------------------------------------------------

/**
 * With no settings in the link, the page starts this at once: small enough to converge in a
 * second or two on any backend (1,469 steps: under a second on the CPU reference, about 2.5 s on SwiftShader),
 * and past the lazy regime (its first layer moves about as far as √(n/m) = 1), so that the
 * charts and the panel have a story at load. Its rate factor is 0.25, not the default 0.1
 * (docs/STABILITY.md): at it this problem's sharpness peaks at 1.0, well below the edge at 2,
 * and it converges 2.5× sooner (3,675 steps at 0.1). A link with settings runs only with autorun=1.
 */
const FIRST_RUN = { n: '32', d: '8', m: '32', steps: '5000', rateFactor: '0.25' };

const bare = location.hash.replace(/^#/, '') === '';
const link = parseHash(bare ? new URLSearchParams(FIRST_RUN).toString() : location.hash);
const page = link.page;
const parent = parentChannel(page.origin);
document.body.classList.toggle('embed', page.embed);
// The content's height follows the width, never the frame's height (nothing in the widget is
// sized by the viewport's height), so a parent that fits the frame to it does not loop.
let postedHeight = 0;
/** `again`: also when unchanged (with ready, for a parent whose listener came late). */
function postSize(again = false): void {
  const height = Math.ceil(document.body.getBoundingClientRect().height);
  if (again || height !== postedHeight) parent.post({ type: 'shallow-gd:size', height: (postedHeight = height) });
}
if (page.embed) new ResizeObserver(() => postSize()).observe(document.body);
// tsconfig's lib has no DOM.Iterable: NodeLists are walked with forEach.
for (const part of page.hide) document.querySelectorAll<HTMLElement>(`[data-part="${part}"]`).forEach((e) => { e.hidden = true; });
// In a widget, and on a phone (one column, the settings above the charts), the settings start
// folded: what is seen first is the run, its status and the charts.
if (page.embed || matchMedia('(max-width: 900px)').matches) $<HTMLDetailsElement>('settings').open = false;

// ---- notices ----------------------------------------------------------------------------------

const notices = new Map<string, HTMLElement>();

/** One notice per key (a newer one replaces it); the text is always set as text, never HTML. */
function notify(key: string, kind: 'info' | 'warn' | 'error', text: string, ...actions: { label: string; run: () => void }[]): void {
  dismiss(key);
  const box = el('div', { className: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, el('span', { textContent: text }));
  box.dataset.notice = key;
  for (const action of actions) box.append(button(action.label, action.run));
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

let backend: PageBackend | null = null;
const runs: Run[] = [];
/** The run the buttons and the status line act on: the latest one. */
let current: Run | null = null;
let nextId = 1;
/** A trainer is being created in its worker (shaders, rates, H_0…): what it is doing, since when, and how to cancel it. */
let preparing: { abort: AbortController; since: number; event: SetupEvent } | null = null;
/**
 * Seeds of one config: each is a Run of its own, drawn together. They train as one batch of the
 * batched WebGPU engine where they can (`batch`: its size, as the worker made it), else one
 * after another (`alone`: why).
 */
interface SeedGroup {
  id: number;
  color: string;
  /** The config of the first seed; seed k is its seed + k. */
  config: Config;
  labelValues?: Float64Array;
  count: number;
  runs: Run[];
  /** Cancelled, reset or stopped: no further seed starts. */
  ended: boolean;
  alone: string | null;
  batch?: number;
}
const groups: SeedGroup[] = [];
const groupOf = new Map<Run, SeedGroup>();
/** An error not tied to a run (bad start request, a run that could not be created). */
let pageError: string | null = null;
/** The parent asked to stop: the pause that follows ends the run as far as it is concerned. */
let stopRequested = false;
/** A start that came before the widget was ready or while a run was being prepared: it runs next. */
let startPending = false;
/** A parent's start waiting for the plan check of its config: a stop now ends it as it starts. */
let startChecking = false;
let planOk = false;
/** The check of the plan line's config by the backend's worker: a start waits for the latest. */
let planChecked: Promise<void> = Promise.resolve();
let planSeq = 0;

/** Resolves once the plan line answers for the form as it is now (edits made meanwhile included). */
async function planSettled(): Promise<void> {
  let p: Promise<void>;
  do {
    p = planChecked;
    await p;
  } while (p !== planChecked);
}
let dirty = true;
/** The hash of what the page shows: the link it opened, then (outside a widget) the last valid settings. */
let shownHash = location.hash;

const form = new SettingsForm($('groups'), { preset: $('preset-slot'), stopAtEps: $('stop-slot') }, refreshPlan);
const charts = new Charts(
  { loss: $('chart-loss'), movement: $('chart-movement'), activation: $('chart-activation'), kernel: $('chart-kernel') },
  page.embed ? 160 : 230,
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
    link.ignored.push(inPageWords(e.message));
    delete (link.given as Record<string, unknown>)[e.key];
  }
}
// A link whose settings were not all taken does not run: what would run is not what it asked for.
const autorun = (bare || page.autorun) && link.ignored.length === 0;
if (link.ignored.length)
  notify('link', 'warn', `Ignored in the link (defaults used instead): ${link.ignored.map(inPageWords).join('; ')}${page.autorun ? '. Not started: check the settings, then press Start.' : ''}`);
// A shared link opens idle (it runs on the reader's device only when asked): say so, not just empty charts.
else if (!autorun && !page.embed) notify('from-link', 'info', 'The settings below came from the link; nothing has run yet. Press Start to run them.');

// ---- plan: what the run needs, before Start ---------------------------------------------------

const SEEDS_RANGE = `seeds must be an integer from 1 to ${MAX_SEEDS}`;

/** The form's settings and the seeds count, checked together: what Start runs, or what to fix (the form's errors, then seeds). */
function checkedSettings() {
  const { config, labelValues, errors } = form.validate();
  const seeds = seedCount($<HTMLInputElement>('seeds').value);
  return { config, labelValues, seeds, problems: [...errors.values(), ...(seeds === null ? [SEEDS_RANGE] : [])] };
}

function refreshPlan(): void {
  const { config, labelValues, problems } = checkedSettings();
  const plan = $('plan');
  planOk = false;
  plan.className = '';
  if (!config || problems.length > 0) {
    // A device check still out for an earlier config must not mark this one runnable.
    ++planSeq;
    form.showResolved(config ? resolveConfig(config) : null);
    plan.textContent = `Fix the highlighted setting${problems.length > 1 ? 's' : ''}: ${problems.map(inPageWords).join('; ')}`;
    plan.className = 'bad';
  } else {
    const r = resolveConfig(config);
    form.showResolved(r);
    if (!page.embed) {
      shownHash = formatHash(config, page);
      history.replaceState(null, '', shownHash);
    }
    if (backend) {
      const b = backend;
      const seq = ++planSeq;
      const k = page.seeds;
      planChecked = b.check(r, k, labelValues !== undefined).then(
        ({ bytes: need, together }) => {
          if (seq !== planSeq) return;
          const seeds = k === 1 ? '' : together === null ? ` · ${k} seeds together, as one batch of the batched engine` : ` · ${k} seeds one after another (not batched: ${inPageWords(together)})`;
          plan.textContent = `This run needs ${bytes(need)} on ${b.info.name} · ${(r.m * r.d).toLocaleString('en-US')} first-layer weights for n = ${r.n} samples (m·d/n = ${num((r.m * r.d) / r.n)}) · κ = ${num(r.outputScale)}${seeds}`;
          plan.className = '';
          planOk = true;
          render();
        },
        (e: unknown) => {
          if (!(e instanceof ConfigError)) throw e;
          if (seq !== planSeq) return;
          plan.textContent = `This device cannot run it: ${inPageWords(e.message)}`;
          plan.className = 'bad';
          render();
        },
      );
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
  const src = `${location.origin}${location.pathname}${formatHash(config, { embed: true, autorun: true, hide: ['controls', 'share', 'explain'], seeds: page.seeds })}`;
  $<HTMLTextAreaElement>('share-embed').value = `<iframe src="${src}" width="100%" height="680" style="border:0" title="shallow-gd" loading="lazy"></iframe>`;
}

// ---- runs -------------------------------------------------------------------------------------

function summaryOf(run: Run) {
  return summarize(run.config, run.result!, run);
}

const hooks: RunHooks = {
  row(run, row) {
    dirty = true;
    parent.post({
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
      parent.post({ type: 'shallow-gd:done', run: run.id, summary: summaryOf(run) });
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
      parent.post({ type: 'shallow-gd:error', run: run.id, message: run.error! });
      // A lost device has its own notice (with Restart); other failures get theirs here.
      if (!backend?.lost) notify('run-error', 'error', `Run #${run.id} failed: ${run.error}`);
    }
    // The next seed of a group starts when one is over (not when it is paused).
    const group = groupOf.get(run);
    if (group && !group.batch && (run.phase === 'done' || run.phase === 'failed')) {
      if (run.phase === 'failed' || stopRequested) group.ended = true;
      if (!group.ended && group.runs.length < group.count && run === current) void prepareSeed(group);
    }
    // The panel and the outcome lines follow at the next frame.
    dirty = true;
    renderRuns();
    render();
  },
};

/** `stopAtOnce`: a stop came before the run was prepared; it ends the run as it starts, with its summary. */
async function start(stopAtOnce = false): Promise<void> {
  if (preparing || !backend) return;
  stopRequested = stopAtOnce;
  pageError = null;
  dismiss('run-error');
  dismiss('diverged');
  dismiss('cancelled');
  dismiss('from-link');
  const { config, labelValues, seeds: count, problems } = checkedSettings();
  if (!config || count === null) return fail(problems.join('; '));
  // A run (or batch of seeds) that is still going or paused ends here; its curves stay on the charts.
  if (unitPhase() === 'running' || unitPhase() === 'paused') await Promise.all(unit().map((r) => r.discard()));
  for (const g of groups) g.ended = true;
  if (count === 1) return prepare(config, labelValues, null);
  const group: SeedGroup = { id: nextId, color: PALETTE[(nextId - 1) % PALETTE.length], config, labelValues, count, runs: [], ended: false, alone: null };
  groups.push(group);
  await prepare(config, labelValues, group);
}

/** The next seed of a group that runs one after another: seed, seed + 1, … of the same config. */
function prepareSeed(group: SeedGroup): Promise<void> {
  return prepare(seedsOf(group.config, group.runs.length + 1).at(-1)!, group.labelValues, group);
}

/**
 * Prepares a run in a worker (progress in the status line, Cancel ends it), then starts it: a
 * group's first seed with the others, as one batch, where they can train together.
 */
async function prepare(config: Config, labelValues: Float64Array | undefined, group: SeedGroup | null): Promise<void> {
  if (!backend) return;
  const abort = new AbortController();
  preparing = { abort, since: performance.now(), event: { phase: 'starting a worker' } };
  render();
  try {
    if (backend.lost) {
      // Start after a lost device is the restart: a new device, the same settings.
      await backend.connect();
      dismiss('lost');
      announceBackend(backend);
    }
    const onSetup = (event: SetupEvent) => {
      if (preparing?.abort === abort) preparing.event = event;
      dirty = true;
    };
    // Whether a group's seeds train together, the backend's worker says.
    if (group && group.runs.length === 0) group.alone = (await backend.check(resolveConfig(config), group.count, labelValues !== undefined)).together;
    let trainers: PageTrainer[];
    if (!group || group.alone !== null) trainers = [await backend.create(resolveConfig(config), labelValues, onSetup, abort.signal)];
    else {
      const made = await backend.createBatch(seedsOf(config, group.count).map((c) => resolveConfig(c)), onSetup, abort.signal);
      trainers = made.trainers;
      group!.batch = made.size;
    }
    const made = trainers.map((trainer) => {
      const run = new Run(nextId, group?.color ?? PALETTE[(nextId - 1) % PALETTE.length], trainer, hooks);
      nextId++;
      runs.push(run);
      if (group) {
        group.runs.push(run);
        groupOf.set(run, group);
      }
      return run;
    });
    current = made[0];
    for (const run of made) run.resume();
    // A stop that came while the run was being prepared ends it at once (with its summary).
    if (stopRequested) for (const run of made) run.pause();
  } catch (e) {
    if (group) group.ended = true;
    if (e instanceof Cancelled) notify('cancelled', 'info', 'Preparation cancelled: nothing ran. Start prepares the run again.');
    else fail(e instanceof Error ? e.message : String(e));
  } finally {
    preparing = null;
    renderRuns();
    dirty = true;
    render();
  }
  if (startPending) {
    startPending = false;
    void start();
  }
}

/** What the buttons act on: the current run, or every seed of its batch (they move together). */
function unit(): Run[] {
  if (!current) return [];
  const group = groupOf.get(current);
  return group?.batch ? group.runs : [current];
}

/** The phase of unit(). */
function unitPhase(): Phase | undefined {
  return phaseOf(unit());
}

/** The phase of runs that move together: running while any of them is, then paused, failed, done. */
function phaseOf(together: readonly Run[]): Phase | undefined {
  const phases = new Set(together.map((r) => r.phase));
  return (['running', 'paused', 'failed', 'done'] as const).find((p) => phases.has(p));
}

function fail(message: string): void {
  pageError = inPageWords(message);
  notify('run-error', 'error', `Could not start: ${pageError}`);
  parent.post({ type: 'shallow-gd:error', run: null, message: pageError });
  render();
}

/** Removes runs (one, or a group's seeds) from the page and frees them. */
async function remove(gone: Run[]): Promise<void> {
  for (const run of gone) {
    runs.splice(runs.indexOf(run), 1);
    const group = groupOf.get(run);
    if (group) {
      group.ended = true;
      groups.splice(groups.indexOf(group), 1);
    }
  }
  if (current && gone.includes(current)) current = runs.at(-1) ?? null;
  dirty = true;
  renderRuns();
  render();
  await Promise.all(gone.map((r) => r.discard()));
}

async function reset(): Promise<void> {
  const all = runs.splice(0);
  for (const g of groups.splice(0)) g.ended = true;
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
  switch (unitPhase()) {
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
      return `${stopRequested && unit().includes(run) ? 'stopped' : 'paused'} at step ${step}`;
    case 'failed':
      return `failed: ${inPageWords(run.error ?? '')}`;
    case 'done':
      if (!r) return 'done';
      if (r.outcome === 'converged') return `converged: L/L0 < ${num(run.config.eps)} at step ${r.stepsToEps}`;
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
  if (preparing) {
    const { event, since } = preparing;
    const p = event.progress;
    const count = p ? ` (${p.done.toLocaleString('en-US')} of at most ${p.total.toLocaleString('en-US')} ${p.unit})` : '';
    return [...items, ['preparing', `${inPageWords(event.phase)}${count}, ${duration((performance.now() - since) / 1000)}`]];
  }
  if (!current) return [...items, ['state', backend ? 'ready' : 'starting']];
  const group = groupOf.get(current);
  // A batch's seeds move together: its line gives their step and median loss.
  const batch = unit();
  const latest = batch.map(latestOf);
  const step = Math.max(...latest.map((l) => l.step));
  const middle = (pick: (l: Latest) => number | undefined) => median(latest.map(pick).filter((v): v is number => v !== undefined));
  const p = batch.map((r) => r.progress).find((q) => q !== null);
  const steps = batch.length > 1 ? p?.stepsPerSecond : current.result?.stepsPerSecond ?? p?.stepsPerSecond;
  const running = batch.filter((r) => r.phase === 'running' && r.progress);
  const seeds = batch.length > 1 ? ' (median)' : '';
  items.push(
    ['run', batch.length > 1 ? `${traceName(current)} (${group!.count} seeds in one batch): ${batchOutcome(group!)}`
      : `#${current.id}${group ? ` (seed ${group.runs.indexOf(current) + 1} of ${group.count})` : ''}: ${outcomeText(current)}`],
    ['step', `${step} / ${current.config.steps}`],
    [`loss${seeds}`, shown(middle((l) => l.loss))],
    [`L/L0${seeds}`, shown(middle((l) => l.lossRatio))],
    ['steps/s', steps === undefined ? '—' : `${rate(steps)}${batch.length > 1 ? ` per seed, ${batch.length} at once` : ''}${softwareNote(current.backend) ? ' (software)' : ''}`],
    // To the step budget: a run that stops at success may end long before.
    ['ETA', running.length ? `${current.config.stopAtEps ? 'at most ' : ''}${duration(Math.max(...running.map((r) => r.progress!.etaSeconds)))}` : '—'],
    ['memory', `${bytes(current.memoryBytes)}${batch.length > 1 ? ' (the batch)' : ''}`],
  );
  // The stability monitor's warning, from the first row at the edge of stability.
  const edge = batch.flatMap((r) => r.rows).find((row) => stabilityWarning(row) !== null);
  if (edge) items.push(['stability', inPageWords(stabilityWarning(edge)!)]);
  return items;
}

interface Latest {
  step: number;
  loss?: number;
  lossRatio?: number;
}

/** A run's latest step and loss: its progress while it runs (rows come only at logged steps), else its last row. */
function latestOf(run: Run): Latest {
  const last = run.rows.at(-1);
  const p = run.progress;
  if (p && (!last || p.step >= last.step) && run.phase === 'running') return { step: p.step, loss: p.loss, lossRatio: p.lossRatio };
  return { step: last?.step ?? 0, loss: last?.loss, lossRatio: last?.loss_ratio };
}

/** A batch of seeds as one: running, paused or stopped at its step, failed, or how many converged. */
function batchOutcome(group: SeedGroup): string {
  const step = Math.max(...group.runs.map((r) => latestOf(r).step));
  switch (phaseOf(group.runs)) {
    case 'running':
      return `running, step ${step}`;
    case 'paused':
      return `${stopRequested ? 'stopped' : 'paused'} at step ${step}`;
    case 'failed':
      return `failed: ${inPageWords(group.runs.find((r) => r.error)?.error ?? '')}`;
    default: {
      const { count, converged } = seedCounts(group);
      return `all finished, ${converged} of ${count} converged`;
    }
  }
}

function render(): void {
  document.body.dataset.state = bodyState();
  const phase = unitPhase();
  const ready = Boolean(backend) && !preparing;
  $<HTMLButtonElement>('start').disabled = !ready || !planOk || phase === 'running';
  $('cancel').hidden = !preparing;
  $<HTMLButtonElement>('pause').disabled = phase !== 'running';
  $<HTMLButtonElement>('resume').disabled = !ready || phase !== 'paused';
  $<HTMLButtonElement>('reset').disabled = Boolean(preparing) || (runs.length === 0 && !pageError);
  $('status').replaceChildren(...statusItems().map(([k, v]) => el('div', {}, el('dt', { textContent: k }), el('dd', { textContent: v }))));
}

/** Each listed run's outcome line, refreshed every frame without rebuilding the list (and its buttons). */
const outcomeLines = new Map<Run, HTMLElement>();

function renderRuns(): void {
  $('runs-empty').hidden = runs.length > 0;
  outcomeLines.clear();
  const shownRuns = runs.filter((r) => !groupOf.has(r) || groupOf.get(r)!.runs[0] === r);
  const labels = runLabels(shownRuns.map((r) => r.config));
  $('runs').replaceChildren(
    ...shownRuns.map((run, k) => {
      const group = groupOf.get(run);
      const seeds = group?.runs ?? [run];
      const name = `shallow-gd-run${run.id}-m${run.config.m}${group ? `-${group.count}seeds` : ''}`;
      const swatch = el('span', { className: 'swatch' });
      swatch.style.background = run.color;
      const exports = group
        ? [button('JSON', () => download(`${name}-metrics.json`, JSON.stringify(seeds.map((r) => ({ seed: r.config.seed, outcome: r.result?.outcome ?? r.phase, rows: r.rows })), null, 1), 'application/json'), 'Every seed\'s logged metrics as JSON')]
        : [
          button('CSV', () => download(`${name}-metrics.csv`, rowsToCsv(run.rows), 'text/csv'), 'Logged metrics as CSV'),
          button('JSON', () => download(`${name}-metrics.json`, JSON.stringify(run.rows, null, 1), 'application/json'), 'Logged metrics as JSON'),
        ];
      return el(
        'li',
        { className: 'run' },
        swatch,
        el(
          'div',
          { className: 'run-text' },
          el('div', {}, el('b', { textContent: `${traceName(run)} ` }), group ? `${group.count} seeds from seed=${group.config.seed}: ${labels[k]}` : labels[k]),
          el('div', { className: 'muted', textContent: `${runDetails(run.config)} · ${run.backend.name}${group ? ` · ${group.batch ? `one batch of ${group.batch} runs on the batched engine` : `one after another (not batched: ${inPageWords(group.alone ?? '')})`}` : ''}` }),
          outcomeLine(run),
        ),
        el(
          'div',
          { className: 'run-actions' },
          ...exports,
          button('config', () => download(`${name}-config.json`, JSON.stringify(run.config, null, 2), 'application/json'), 'The resolved config as JSON'),
          button('×', () => void remove(seeds), group ? 'Remove these seeds from the charts' : 'Remove this run from the charts'),
        ),
      );
    }),
  );
}

/** #3, or #3–#7 for a group's seeds. */
function traceName(run: Run): string {
  const group = groupOf.get(run);
  return group && group.runs.length > 1 ? `#${group.runs[0].id}–#${group.runs.at(-1)!.id}` : `#${run.id}`;
}

/** Seeds of a group: how many, how many finished, and how many of those converged. */
function seedCounts(group: SeedGroup): { count: number; finished: number; converged: number } {
  const finished = group.runs.filter((r) => r.phase === 'done' || r.phase === 'failed');
  return { count: group.count, finished: finished.length, converged: finished.filter((r) => r.result?.outcome === 'converged').length };
}

function outcomeLine(run: Run): HTMLElement {
  const line = el('div');
  outcomeLines.set(run, line);
  refreshOutcome(run, line);
  return line;
}

function refreshOutcome(run: Run, line: HTMLElement): void {
  const group = groupOf.get(run);
  if (!group) {
    line.className = `outcome ${run.phase}${run.result?.outcome === 'converged' ? ' converged' : ''}`;
    line.textContent = outcomeText(run);
    return;
  }
  const { count, finished, converged } = seedCounts(group);
  const latest = group.runs.at(-1)!;
  const going = group.batch ? `${count - finished} of ${count} ${batchOutcome(group)}` : `seed ${group.runs.length} of ${count}: ${outcomeText(latest)}`;
  // Green only where every seed converged: "0 of 3 converged" is no success.
  line.className = `outcome ${finished === count ? `done${converged === count ? ' converged' : ''}` : group.batch ? phaseOf(group.runs) : latest.phase}`;
  line.textContent = `${converged} of ${finished} finished converged (${percent(finished ? converged / finished : NaN)})${finished < count ? ` · ${going}` : ''}`;
}

/** What the charts draw: each run alone, and each group of seeds as its median with the quartiles. */
function traces(): Trace[] {
  const alone = runs.filter((r) => !groupOf.has(r) || groupOf.get(r)!.runs[0] === r);
  const labels = runLabels(alone.map((r) => r.config));
  return alone.map((r, k) => {
    const instruments = { spectrum: r.config.spectrum, linearized: r.config.linearized };
    const group = groupOf.get(r);
    if (!group) return { id: r.id, name: `#${r.id}`, color: r.color, label: labels[k], instruments, rows: r.rows };
    const q = quartiles(group.runs.map((s) => s.rows), group.runs.map((s) => s.phase === 'done' || s.phase === 'failed'));
    return { id: r.id, name: traceName(r), color: r.color, label: `median of ${group.count} seeds: ${labels[k]}`, instruments, rows: q.median, band: { lower: q.lower, upper: q.upper } };
  });
}

/** "What you are seeing", about the latest run (or its group of seeds). */
function renderExplanation(drawn: Trace[]): void {
  const box = $('explain');
  const run = current;
  const trace = run && drawn.find((t) => t.id === (groupOf.get(run)?.runs[0] ?? run).id);
  const group = run && groupOf.get(run);
  const seen: Seen | null = run && trace ? {
    name: `Run ${traceName(run)}`, config: run.config, rows: trace.rows,
    running: group?.batch ? phaseOf(group.runs) === 'running' : run.phase === 'running' || Boolean(group && !group.ended && group.runs.length < group.count),
    seeds: group ? seedCounts(group) : undefined,
  } : null;
  const lines = seen ? whatYouSee(seen) : [];
  box.hidden = page.hide.includes('explain') || lines.length === 0;
  $('explain-text').replaceChildren(...lines.map((t) => el('p', { textContent: t })));
}

/**
 * Charts, panel and status are redrawn at most this often, however fast rows arrive (they can
 * come every step): on a machine whose GPU is emulated on the same cores, each redraw is time
 * the run does not get.
 */
const REDRAW_MS = 100;
let drawnAt = -Infinity;

function frame(now: number): void {
  if ((dirty || preparing) && now - drawnAt >= REDRAW_MS) {
    drawnAt = now;
    if (dirty) {
      dirty = false;
      outcomeLines.forEach((line, run) => refreshOutcome(run, line));
      const drawn = traces();
      // The tangent kernel's chart only where a run measures its spectrum (or the next one will).
      const spectrum = drawsIn('kernel', drawn) || form.read().config?.spectrum === true;
      $('chart-kernel').closest('figure')!.hidden = page.hide.includes('kernel') || !spectrum;
      // Charts rebuilt for a new run come one per frame: the next frame draws again, at once.
      if (charts.draw(drawn)) {
        dirty = true;
        drawnAt = -Infinity;
      }
      renderExplanation(drawn);
    }
    render();
  }
  requestAnimationFrame(frame);
}

// ---- wiring -----------------------------------------------------------------------------------

// A link pasted over this one changes only the hash, which reloads nothing by itself; the page's
// own edits go through replaceState and fire no hashchange. Loading the new link starts the
// page afresh: where that would discard runs, the page asks first.
window.addEventListener('hashchange', () => {
  if (location.hash === shownHash) return dismiss('hash');
  if (runs.length === 0 && !preparing) return location.reload();
  const lost = [runs.length ? `the ${runs.length === 1 ? 'run' : `${runs.length} runs`} on the charts` : '', preparing ? 'the run being prepared' : ''].filter(Boolean).join(' and ');
  notify('hash', 'warn', `The link changed. Loading it starts the page afresh with its settings and discards ${lost}.`,
    { label: 'Load the new link', run: () => location.reload() },
    {
      label: 'Keep my runs',
      run: () => {
        // The address goes back to what the page shows.
        history.replaceState(null, '', shownHash);
        refreshShare(form.read().config);
        dismiss('hash');
      },
    });
});
$('start').addEventListener('click', () => void start());
$('pause').addEventListener('click', () => unit().forEach((r) => r.pause()));
$('resume').addEventListener('click', () => {
  stopRequested = false;
  unit().forEach((r) => r.resume());
  render();
});
$('reset').addEventListener('click', () => void reset());
$('cancel').addEventListener('click', () => preparing?.abort.abort());
const seedsField = $<HTMLInputElement>('seeds');
const seedsHelp = seedsField.closest('label')!.title;
seedsField.value = String(page.seeds);
seedsField.max = String(MAX_SEEDS);
seedsField.addEventListener('input', () => {
  const k = seedCount(seedsField.value);
  seedsField.classList.toggle('invalid', k === null);
  seedsField.title = k === null ? SEEDS_RANGE : seedsHelp;
  if (k !== null) page.seeds = k;
  refreshPlan();
});
$<HTMLSelectElement>('x-axis').addEventListener('change', (e) => {
  charts.setLogSteps((e.target as HTMLSelectElement).value === 'log');
  dirty = true;
});
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

parent.listen((m) => {
  if (m.type === 'shallow-gd:stop') {
    if (preparing || startPending || startChecking) {
      stopRequested = true;
      startPending = false;
    } else if (unitPhase() === 'running') {
      stopRequested = true;
      unit().forEach((r) => r.pause());
    } else return parent.post({ type: 'shallow-gd:rejected', request: 'stop', reason: 'no run is being prepared or running' });
    for (const g of groups) g.ended = true;
    return parent.post({ type: 'shallow-gd:accepted', request: 'stop', queued: false });
  }
  if (m.config) {
    let config: Config;
    try {
      config = buildConfig(m.config);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      fail(e.message);
      return parent.post({ type: 'shallow-gd:rejected', request: 'start', reason: inPageWords(e.message) });
    }
    form.set(config);
    refreshPlan();
  }
  // Refused as a person's Start would be: settings the form marks, or a run this device cannot hold.
  const { errors } = form.validate();
  if (errors.size) return parent.post({ type: 'shallow-gd:rejected', request: 'start', reason: [...errors.values()].map(inPageWords).join('; ') });
  // Before the widget is ready, or while a run is being prepared, the start waits its turn.
  if (!backend || preparing) {
    parent.post({ type: 'shallow-gd:accepted', request: 'start', queued: true });
    startPending = true;
    return;
  }
  startChecking = true;
  stopRequested = false;
  void planSettled().then(() => {
    startChecking = false;
    if (!planOk) return parent.post({ type: 'shallow-gd:rejected', request: 'start', reason: $('plan').textContent ?? '' });
    parent.post({ type: 'shallow-gd:accepted', request: 'start', queued: false });
    void start(stopRequested);
  });
});

function announceBackend(b: PageBackend): void {
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
PageBackend.acquire((message) => {
  notify('lost', 'error', `${sentence(message)} The charts are kept; Restart gets a new device and starts the current settings again.`, {
    label: 'Restart',
    run: () => void start(),
  });
  render();
}).then((b) => {
  backend = b;
  announceBackend(b);
  refreshPlan();
  parent.post({ type: 'shallow-gd:ready', backend: b.info });
  if (page.embed) postSize(true);
  if (autorun || startPending) {
    startPending = false;
    // The plan is checked first: a link the device cannot run says so and does not start.
    void planSettled().then(() => {
      if (planOk) void start();
      // A queued request was accepted: its refusal comes as an error.
      else if (!autorun) fail($('plan').textContent ?? '');
    });
  }
});
