/** The element with `id`. @throws Error when the page lacks it (a bug in index.html). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}

/** A new element with text content and attributes. */
export function el(tag: string, text = '', attributes: Record<string, string> = {}): HTMLElement {
  const element = document.createElement(tag);
  element.textContent = text;
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

/** Replaces a table body's rows; each row is a list of cells (text or elements). */
export function fillTable(body: HTMLElement, rows: ReadonlyArray<ReadonlyArray<string | HTMLElement>>, empty: string): void {
  body.replaceChildren();
  if (rows.length === 0) {
    const cell = el('td', empty, { colspan: '99', class: 'empty' });
    body.append(row([cell]));
    return;
  }
  for (const cells of rows) body.append(row(cells.map((cell) => (typeof cell === 'string' ? el('td', cell) : wrap(cell)))));
}

/** `0.873` → `87.3%`. */
export function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** A local time of day, e.g. `14:03:27`. */
export function clock(timeMs: number): string {
  return new Date(timeMs).toLocaleTimeString([], { hour12: false });
}

function row(cells: HTMLElement[]): HTMLElement {
  const tr = el('tr');
  tr.append(...cells);
  return tr;
}

function wrap(content: HTMLElement): HTMLElement {
  const td = el('td');
  td.append(content);
  return td;
}
