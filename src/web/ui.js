// Small DOM helpers shared by the views. Text always goes in through textContent (never innerHTML).

/** h('div', {class: 'x', onclick}, child, 'text', [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

let toastTimer;
/** Announces a message in the polite live region (and shows it briefly). */
export function status(message, kind = 'info') {
  const el = document.getElementById('status');
  el.textContent = message;
  el.dataset.kind = kind;
  el.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 4000);
}

export const money = (p) => (p === null || p === undefined ? '' : new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR' }).format(p));

export function itemHref(id) {
  return `#/item/${encodeURIComponent(id)}`;
}

/** A focusable product card (a link) with thumbnail, title and details. */
export function card(item, extra = {}) {
  const title = item.title || item.id;
  return h(
    'li',
    { class: 'card-cell' },
    h(
      'a',
      { class: 'card', href: itemHref(item.id), 'data-item-id': item.id },
      h(
        'div',
        { class: 'thumb' },
        item.thumbUrl ? h('img', { src: item.thumbUrl, alt: title, loading: 'lazy', width: 256, height: 256 }) : h('span', { class: 'no-image' }, 'no image'),
        extra.badge ? h('span', { class: 'badge' }, extra.badge) : null,
      ),
      h(
        'div',
        { class: 'card-body' },
        h('span', { class: 'card-title' }, title),
        h('span', { class: 'card-meta' }, [item.category, item.colour].filter(Boolean).join(' · ')),
        item.price !== null && item.price !== undefined ? h('span', { class: 'card-price' }, money(item.price)) : null,
        extra.reason ? h('span', { class: 'card-reason' }, extra.reason) : null,
      ),
    ),
  );
}

export function grid(items, label, extras = () => ({})) {
  return h('ul', { class: 'grid', 'aria-label': label }, items.map((it, i) => card(it, extras(it, i))));
}

/** Colour swatches with their names and shares. */
export function swatches(colours, label = 'Detected colours') {
  if (!colours?.length) return h('p', { class: 'muted' }, 'No colours detected.');
  return h(
    'ul',
    { class: 'swatches', 'aria-label': label },
    colours.map((c) =>
      h('li', { class: 'swatch' }, h('span', { class: 'chip', style: { background: c.hex }, 'aria-hidden': 'true' }), h('span', { class: 'swatch-name' }, c.name), h('span', { class: 'swatch-share' }, `${Math.round(c.share * 100)}%`)),
    ),
  );
}

/** Horizontal bars for shares (style classes, categories). */
export function bars(entries, label) {
  return h(
    'ul',
    { class: 'bars', 'aria-label': label },
    entries.map((e) =>
      h('li', {}, h('span', { class: 'bar-label' }, e.label), h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { class: 'bar-fill', style: { width: `${Math.max(2, Math.round(e.value * 100))}%` } })), h('span', { class: 'bar-value' }, `${Math.round(e.value * 100)}%`)),
    ),
  );
}

export function section(title, ...children) {
  const id = `s-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

export function skeletonGrid(n = 8) {
  return h('ul', { class: 'grid', 'aria-hidden': 'true' }, Array.from({ length: n }, () => h('li', { class: 'card-cell' }, h('div', { class: 'card skeleton' }, h('div', { class: 'thumb' }), h('div', { class: 'card-body' }, h('span', { class: 'line' }), h('span', { class: 'line short' }))))));
}

export function errorBox(e) {
  return h('p', { class: 'notice error', role: 'alert' }, e.code ? `${e.message} (${e.code})` : String(e.message ?? e));
}

export function userId() {
  return localStorage.getItem('lookbook.user') || 'guest';
}
