// Item page: image, details, colours, style, similar items, complete-the-look outfits, "I like this".
import { api } from '../api.js';
import { bars, clear, errorBox, grid, h, money, section, skeletonGrid, status, swatches, userId } from '../ui.js';

function details(item) {
  const rows = [
    ['Category', item.category],
    ['Colour', item.colour],
    ['Gender', item.gender],
    ['Price', item.price !== null ? money(item.price) : null],
    ...Object.entries(item.meta ?? {}).filter(([k]) => !/name|title|image|^id$|^(category|colou?r|gender|price)$/i.test(k)).slice(0, 8),
  ].filter(([, v]) => v);
  return h('dl', { class: 'details' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

async function optional(container, title, load) {
  const body = h('div', {}, skeletonGrid(4));
  const panel = section(title, body);
  container.append(panel);
  try {
    const content = await load();
    if (content === null) panel.remove();
    else clear(body).append(content);
  } catch (e) {
    // A feature whose model is not trained yet is simply not shown.
    if (e.code === 'LB_ERR_MODEL_MISSING') panel.remove();
    else clear(body).append(errorBox(e));
  }
}

export async function itemView(main, id) {
  let data;
  try {
    data = await api.item(id);
  } catch (e) {
    main.append(h('h1', {}, 'Item not found'), errorBox(e), h('p', {}, h('a', { href: '#/' }, 'Back to the catalogue')));
    return;
  }
  const { item, attributes } = data;
  document.title = `${item.title || item.id} · Lookbook`;
  const like = h('button', { type: 'button', class: 'button' }, '♥ I like this');
  like.addEventListener('click', async () => {
    try {
      await api.recordEvent({ userId: userId(), itemId: item.id, kind: 'like' });
      like.textContent = '♥ Liked';
      like.disabled = true;
      status(`Saved to ${userId()}'s likes`);
    } catch (e) {
      status(e.code === 'LB_ERR_UNAUTHORIZED' ? 'Liking needs the API key (set it on the My style page).' : e.message, 'error');
    }
  });
  const styleSlot = h('div', { class: 'style-slot' });
  main.append(
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, 'Catalogue'), ' / ', item.category || 'Item'),
    h(
      'article',
      { class: 'item-hero' },
      h('div', { class: 'item-image' }, item.imageUrl ? h('img', { src: `${item.thumbUrl}?size=512`, alt: item.title || item.id }) : h('span', { class: 'no-image' }, 'no image')),
      h(
        'div',
        { class: 'item-info' },
        h('h1', {}, item.title || item.id),
        h('p', { class: 'muted' }, `Item ${item.id}`),
        details(item),
        h('h2', { class: 'small-heading' }, 'Colours'),
        swatches(attributes?.colours ?? []),
        attributes?.pattern ? h('p', {}, `Pattern: ${attributes.pattern.label}`) : null,
        styleSlot,
        h('div', { class: 'actions' }, like, h('a', { class: 'button secondary', href: `#/user/${encodeURIComponent(userId())}` }, 'My style')),
      ),
    ),
  );
  // Style and outfits appear only when their models are trained (no needless 409s).
  const models = new Set(((await api.models().catch(() => ({ models: [] }))).models ?? []).map((m) => m.name));
  if (models.has('style:usage')) api.style(item.id).then(
    (s) => styleSlot.append(h('h2', { class: 'small-heading' }, `Style: ${s.label}`), bars(s.top.map((t) => ({ label: t.label, value: t.probability })), 'Style probabilities')),
    () => {},
  );
  const below = h('div', { class: 'stack' });
  main.append(below);
  await Promise.all([
    optional(below, 'Similar items', async () => {
      if (!data.hasFeatures) return h('p', { class: 'muted' }, 'This item has no image features yet.');
      const a = await api.similar(item.id, { k: 12 });
      return grid(a.results.map((r) => r.item), 'Similar items', (_it, i) => ({ reason: a.results[i].reasons.join(' · ') }));
    }),
    models.has('compatibility') && optional(below, 'Complete the look', async () => {
      const r = await api.completeTheLook(item.id, { n: 3 });
      if (!r.outfits.length) return null;
      return h(
        'ol',
        { class: 'outfits' },
        r.outfits.map((o, i) =>
          h('li', { class: 'outfit' }, h('h3', {}, `Outfit ${i + 1}`, h('span', { class: 'score' }, `${Math.round(o.score * 100)}% match`)), grid(o.items, `Outfit ${i + 1}`, (it) => ({ badge: it.id === item.id ? 'this item' : undefined }))),
        ),
      );
    }),
  ]);
}
