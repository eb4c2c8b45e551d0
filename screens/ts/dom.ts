// Small typed helpers over the DOM: an element of the kind the template
// promises (a template change that breaks it fails loudly, not silently).

export function byId<T extends HTMLElement>(id: string, kind: { new (): T; prototype: T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`页面缺少元素 #${id}`);
  return element;
}

export function tbody(table: HTMLTableElement): HTMLTableSectionElement {
  return table.tBodies.item(0) ?? table.createTBody();
}

export function text(element: HTMLElement, value: string | number | null | undefined): void {
  element.textContent = value === null || value === undefined ? "" : String(value);
}

export function row(cells: (string | number | null | undefined)[]): HTMLTableRowElement {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    text(td, cell);
    tr.appendChild(td);
  }
  return tr;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
