// The postMessage protocol between an embedded widget and the page that embeds it
// (docs/PAGE.md). The widget only ever posts to its parent and only obeys its parent (of the
// `origin=` key's origin, when the link names one).
import type { Summary } from '../train/summary';
import type { Row } from '../model/metrics';
import type { BackendInfo } from '../model/engine';

/** Posted by the widget. */
export type WidgetMessage =
  | { type: 'shallow-gd:ready'; backend: BackendInfo }
  | { type: 'shallow-gd:progress'; run: number; step: number; loss: number; lossRatio: number; stepsPerSecond: number | null; row: Row }
  | { type: 'shallow-gd:done'; run: number; summary: Summary }
  | { type: 'shallow-gd:error'; run: number | null; message: string }
  /** The answer to each request: taken (at once, or `queued` until the widget is ready), or refused with the reason. */
  | { type: 'shallow-gd:accepted'; request: 'start' | 'stop'; queued: boolean }
  | { type: 'shallow-gd:rejected'; request: 'start' | 'stop'; reason: string }
  /** The widget's content height in CSS pixels, at load and at every change: a parent may fit the frame to it. */
  | { type: 'shallow-gd:size'; height: number };

/** Sent by the parent: start a run (config as in the URL hash, defaults for the rest), or stop it. */
export type ParentMessage = { type: 'shallow-gd:start'; config?: Record<string, unknown> } | { type: 'shallow-gd:stop' };

export function isEmbedded(): boolean {
  return window.parent !== window;
}

/**
 * The widget's line to its parent. With `origin` (the page key `origin=`), only that origin's
 * requests are obeyed and progress goes only there; without it, any embedding page may start
 * and stop a run and read its progress (a public simulation's progress is no secret).
 */
export function parentChannel(origin?: string) {
  return {
    post(message: WidgetMessage): void {
      // A parent of another origin gets nothing: postMessage drops it for a target that does not match.
      if (isEmbedded()) window.parent.postMessage(message, origin ?? '*');
    },
    /** Messages from the parent window (of `origin`, when given) only; anything else is not ours and is ignored. */
    listen(handle: (m: ParentMessage) => void): void {
      window.addEventListener('message', (e: MessageEvent) => {
        if (!isEmbedded() || e.source !== window.parent || (origin !== undefined && e.origin !== origin)) return;
        const data = e.data as { type?: unknown; config?: unknown } | null;
        if (data?.type === 'shallow-gd:stop') handle({ type: 'shallow-gd:stop' });
        else if (data?.type === 'shallow-gd:start') {
          const config = data.config;
          if (config !== undefined && (typeof config !== 'object' || config === null || Array.isArray(config)))
            this.post({ type: 'shallow-gd:rejected', request: 'start', reason: 'config must be an object of settings' });
          else handle({ type: 'shallow-gd:start', config: config as Record<string, unknown> | undefined });
        }
      });
    },
  };
}
