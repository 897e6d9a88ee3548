// Catalogue: filters + grid, and "find similar to my photo" (upload or drop) with detected colours and style.
import { api } from '../api.js';
import { bars, clear, errorBox, grid, h, section, skeletonGrid, status, swatches } from '../ui.js';

const PAGE = 24;
const state = { filters: { category: '', gender: '', colour: '', minPrice: '', maxPrice: '' }, offset: 0 };

function select(name, label, options) {
  const id = `f-${name}`;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h('select', { id, name }, h('option', { value: '' }, 'Any'), options.map((o) => h('option', { value: o.value, selected: state.filters[name] === o.value }, `${o.value} (${o.count})`))),
  );
}

function numberField(name, label) {
  const id = `f-${name}`;
  return h('div', { class: 'field narrow' }, h('label', { for: id }, label), h('input', { id, name, type: 'number', min: 0, step: 'any', inputmode: 'decimal', value: state.filters[name] }));
}

function uploadPanel() {
  const results = h('div', { id: 'photo-results', 'aria-live': 'polite' });
  const input = h('input', { id: 'photo-input', type: 'file', accept: 'image/*', class: 'visually-hidden' });
  const drop = h(
    'label',
    { class: 'dropzone', for: 'photo-input', tabindex: 0, role: 'button', 'aria-describedby': 'drop-help' },
    h('span', { class: 'drop-icon', 'aria-hidden': 'true' }),
    h('strong', {}, 'Find similar to a photo'),
    h('span', { id: 'drop-help', class: 'muted' }, 'Choose or drop an image (JPEG, PNG, WebP…)'),
  );
  // Static markup (no data in it): an "add photo" icon.
  drop.querySelector('.drop-icon').innerHTML = '<svg width="36" height="36" viewBox="0 0 24 24"><path fill="currentColor" d="M19 7v2.99s-1.99.01-2 0V7h-3s.01-1.99 0-2h3V2h2v3h3v2h-3zm-3 4V8h-3V5H5c-1.1 0-2 .9-2 2v12c0 1.1.9 2 2 2h12c1.1 0 2-.9 2-2v-8h-3zM5 19l3-4 2 3 3-4 4 5H5z"/></svg>';
  const run = async (file) => {
    if (!file) return;
    clear(results).append(h('p', { class: 'muted' }, `Looking for items like ${file.name}…`), skeletonGrid(6));
    try {
      const a = await api.similarToPhoto(file, { k: 12 });
      const preview = h('img', { src: URL.createObjectURL(file), alt: 'Your photo', class: 'preview' });
      const styleBlock = a.style
        ? h('div', { class: 'style-block' }, h('h3', {}, `Style: ${a.style.label}`), bars(a.style.top.map((t) => ({ label: t.label, value: t.probability })), 'Style probabilities'))
        : null;
      clear(results).append(
        h('div', { class: 'photo-summary' }, preview, h('div', {}, h('h3', {}, 'Detected colours'), swatches(a.query.colours), styleBlock)),
        h('h3', {}, 'Similar items'),
        grid(a.results.map((r) => r.item), 'Items similar to your photo', (_it, i) => ({ reason: a.results[i].reasons[0] })),
      );
      status(`Found ${a.results.length} similar items`);
    } catch (e) {
      clear(results).append(errorBox(e));
      status(e.message, 'error');
    }
  };
  input.addEventListener('change', () => run(input.files?.[0]));
  drop.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      input.click();
    }
  });
  for (const ev of ['dragenter', 'dragover']) drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.add('over'); });
  for (const ev of ['dragleave', 'drop']) drop.addEventListener(ev, () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    run(e.dataTransfer?.files?.[0]);
  });
  return section('Search by photo', h('div', { class: 'upload' }, input, drop), results);
}

export async function catalogueView(main) {
  const list = h('div', { id: 'catalogue-grid' });
  const count = h('p', { class: 'muted', id: 'result-count', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'button secondary', hidden: true }, 'Show more');
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter the catalogue' });
  main.append(h('div', { class: 'hero' }, h('h1', {}, 'Catalogue'), h('p', { class: 'lead' }, 'Browse the catalogue, open an item for similar pieces and outfits, or search with a photo.')), uploadPanel(), section('Browse', form, count, list, h('div', { class: 'more' }, more)));

  let facets = { category: [], gender: [], colour: [] };
  try {
    facets = await api.facets();
  } catch (e) {
    status(e.message, 'error');
  }
  form.append(
    select('category', 'Category', facets.category),
    select('gender', 'Gender', facets.gender),
    select('colour', 'Colour', facets.colour),
    numberField('minPrice', 'Min price'),
    numberField('maxPrice', 'Max price'),
    h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'button' }, 'Apply'), h('button', { type: 'reset', class: 'button secondary' }, 'Clear')),
  );

  const load = async (append) => {
    if (!append) {
      state.offset = 0;
      clear(list).append(skeletonGrid());
    }
    try {
      const r = await api.items({ ...state.filters, limit: PAGE, offset: state.offset });
      const g = grid(r.items, 'Catalogue items');
      if (append) list.querySelector('ul.grid').append(...g.children);
      else clear(list).append(r.items.length ? g : h('p', { class: 'notice' }, 'No items match these filters.'));
      state.offset += r.items.length;
      count.textContent = `${r.total} item${r.total === 1 ? '' : 's'}${state.offset < r.total ? ` · showing ${state.offset}` : ''}`;
      more.hidden = state.offset >= r.total;
    } catch (e) {
      clear(list).append(errorBox(e));
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    for (const k of Object.keys(state.filters)) state.filters[k] = String(fd.get(k) ?? '');
    load(false);
  });
  form.addEventListener('reset', () => {
    for (const k of Object.keys(state.filters)) state.filters[k] = '';
    setTimeout(() => load(false));
  });
  more.addEventListener('click', () => load(true));
  await load(false);
}
