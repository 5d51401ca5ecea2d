// embed.html: an article page that embeds two widgets and talks to them the way any
// embedding page would, through postMessage only (src/ui/widget_api.ts).
import { num } from '../train/format';
import type { ParentMessage, WidgetMessage } from './widget_api';
import './embed_example.css';

const frames: HTMLIFrameElement[] = [];
document.querySelectorAll<HTMLIFrameElement>('iframe[data-widget]').forEach((f) => frames.push(f));

function readout(frame: HTMLIFrameElement): HTMLElement {
  return document.getElementById(`${frame.dataset.widget}-readout`)!;
}

window.addEventListener('message', (e: MessageEvent) => {
  // Only the widgets' own windows are listened to.
  const frame = frames.find((f) => f.contentWindow === e.source);
  if (!frame) return;
  const m = e.data as WidgetMessage;
  const out = readout(frame);
  switch (m.type) {
    case 'shallow-gd:ready':
      out.textContent = `ready on ${m.backend.name}`;
      break;
    case 'shallow-gd:progress':
      out.textContent = `step ${m.step} · L/L0 = ${num(m.lossRatio)} · ‖W−W₀‖/‖W₀‖ = ${num(m.row.rel_move_w)}`;
      break;
    case 'shallow-gd:done': {
      const s = m.summary;
      out.textContent = `${s.outcome} after ${s.steps_done} steps · L/L0 = ${num(s.final.loss_ratio)} · ‖W−W₀‖/‖W₀‖ = ${num(s.final.rel_move_w)}`;
      break;
    }
    case 'shallow-gd:error':
      out.textContent = `error: ${m.message}`;
      break;
    case 'shallow-gd:size':
      // The frame as tall as the widget's content (the CSS height holds until the first size).
      frame.style.height = `${m.height}px`;
      if (frame === frames[0]) showSnippet();
      break;
  }
});

function post(frame: HTMLIFrameElement, message: ParentMessage): void {
  frame.contentWindow?.postMessage(message, new URL(frame.src).origin);
}

/** A widget's settings are the hash of its link, less the page keys. */
function settingsOf(frame: HTMLIFrameElement): Record<string, string> {
  const params = new URLSearchParams(new URL(frame.src).hash.slice(1));
  for (const key of ['embed', 'autorun', 'hide', 'range']) params.delete(key);
  return Object.fromEntries(params);
}

// New data for both: the same settings with the next seed; each widget overlays the new run.
let seed = 1;
document.getElementById('again')!.addEventListener('click', () => {
  seed++;
  for (const f of frames) post(f, { type: 'shallow-gd:start', config: { ...settingsOf(f), seed } });
});
document.getElementById('stop')!.addEventListener('click', () => {
  for (const f of frames) post(f, { type: 'shallow-gd:stop' });
});

// The snippet shown is the real one: the first widget's (absolute) address, at the height its
// content takes here (taller on a phone: it follows the width), for a page that does not fit
// the frame to `shallow-gd:size` as this one does.
function showSnippet(): void {
  const height = Math.round(frames[0].getBoundingClientRect().height);
  document.getElementById('snippet')!.textContent = `<iframe src="${frames[0].src}"\n        width="100%" height="${height}" style="border:0" title="shallow-gd"></iframe>`;
}
showSnippet();
addEventListener('resize', showSnippet);
