// User page: style profile (styles, colours, categories, liked items) and recommendations.
import { api } from '../api.js';
import { bars, clear, errorBox, grid, h, section, skeletonGrid, status, swatches } from '../ui.js';

function settings(current) {
  const form = h(
    'form',
    { class: 'filters' },
    h('div', { class: 'field' }, h('label', { for: 'u-id' }, 'User id'), h('input', { id: 'u-id', name: 'user', value: current, autocomplete: 'username', required: true })),
    h('div', { class: 'field' }, h('label', { for: 'u-key' }, 'API key (only if the server needs one for writes)'), h('input', { id: 'u-key', name: 'key', type: 'password', value: localStorage.getItem('lookbook.apiKey') || '', autocomplete: 'off' })),
    h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'button' }, 'Show')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    const id = String(fd.get('user') || 'guest').trim();
    localStorage.setItem('lookbook.user', id);
    localStorage.setItem('lookbook.apiKey', String(fd.get('key') || ''));
    status(`Showing ${id}`);
    location.hash = `#/user/${encodeURIComponent(id)}`;
  });
  return form;
}

export async function userView(main, id) {
  main.append(h('div', { class: 'hero' }, h('h1', {}, `Style of ${id}`), h('p', { class: 'lead' }, 'Like items on their pages to build a style profile; recommendations follow it.')), section('Who', settings(id)));
  const profileBody = h('div', {}, skeletonGrid(4));
  const recBody = h('div', {}, skeletonGrid(8));
  main.append(section('Style profile', profileBody), section('Recommended for you', recBody));
  try {
    const p = await api.profile(id);
    clear(profileBody).append(
      h(
        'div',
        { class: 'profile' },
        p.styles.length ? h('div', {}, h('h3', {}, 'Styles'), bars(p.styles.map((s) => ({ label: s.name, value: s.share })), 'Style shares')) : null,
        h('div', {}, h('h3', {}, 'Colours'), swatches(p.colours.map((c) => ({ name: c.name, hex: c.hex ?? colourHex(c.name), share: c.share })), 'Favourite colours')),
        h('div', {}, h('h3', {}, 'Categories'), bars(p.categories.map((s) => ({ label: s.name, value: s.share })), 'Category shares')),
      ),
      h('h3', {}, 'Liked'),
      grid(p.liked, 'Liked items'),
    );
  } catch (e) {
    clear(profileBody).append(e.code === 'LB_ERR_NOT_FOUND' ? h('p', { class: 'notice' }, 'No likes yet: open an item and press “I like this”.') : errorBox(e));
  }
  try {
    const r = await api.recommendations(id, { k: 12 });
    clear(recBody).append(
      h('p', { class: 'muted' }, r.mode === 'model' ? 'From the trained recommender.' : 'Nearest items to your style profile (no recommender trained yet).'),
      grid(r.results.map((x) => x.item), 'Recommendations', (_it, i) => ({ reason: r.results[i].reasons[0] })),
    );
  } catch (e) {
    clear(recBody).append(e.code === 'LB_ERR_MODEL_MISSING' ? h('p', { class: 'notice' }, 'Like a few items to get recommendations.') : errorBox(e));
  }
}

// Profile colours come as names; show a swatch by letting the browser parse common colour names.
function colourHex(name) {
  const probe = h('span', { style: { color: name.replace(/\s+/g, '').toLowerCase() } });
  return probe.style.color || '#ccc';
}
