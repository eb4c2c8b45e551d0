// Small typed helpers over the DOM: an element of the kind the template
// promises (a template change that breaks it fails loudly, not silently).
export function byId(id, kind) {
    const element = document.getElementById(id);
    if (!(element instanceof kind))
        throw new Error(`页面缺少元素 #${id}`);
    return element;
}
export function tbody(table) {
    return table.tBodies.item(0) ?? table.createTBody();
}
export function text(element, value) {
    element.textContent = value === null || value === undefined ? "" : String(value);
}
export function row(cells) {
    const tr = document.createElement("tr");
    for (const cell of cells) {
        const td = document.createElement("td");
        text(td, cell);
        tr.appendChild(td);
    }
    return tr;
}
export function errorMessage(err) {
    return err instanceof Error ? err.message : String(err);
}
