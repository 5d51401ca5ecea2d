// The few DOM helpers the page uses. Text always goes in as text (textContent), never as HTML.

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

export function button(label: string, onClick: () => void, title = ''): HTMLButtonElement {
  const b = el('button', { textContent: label, title });
  b.addEventListener('click', onClick);
  return b;
}
