// Lookbook web page: a hash router over three views (catalogue, item, user). No framework, no bundler.
import { catalogueView } from './views/catalogue.js';
import { itemView } from './views/item.js';
import { userView } from './views/user.js';
import { clear, userId } from './ui.js';

async function route() {
  const main = document.getElementById('main');
  clear(main);
  document.title = 'Lookbook';
  const hash = location.hash.replace(/^#/, '') || '/';
  const [, page, ...rest] = hash.split('/');
  const arg = decodeURIComponent(rest.join('/'));
  for (const a of document.querySelectorAll('.site-header nav a')) {
    a.toggleAttribute('aria-current', a.getAttribute('href') === `#/${page ? `${page}/` : ''}` || (page === '' && a.getAttribute('href') === '#/'));
  }
  document.getElementById('nav-user').setAttribute('href', `#/user/${encodeURIComponent(userId())}`);
  main.setAttribute('aria-busy', 'true');
  try {
    if (page === 'item' && arg) await itemView(main, arg);
    else if (page === 'user') await userView(main, arg || userId());
    else await catalogueView(main);
  } finally {
    main.removeAttribute('aria-busy');
  }
  if (location.hash && location.hash !== '#/') main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

// The skip link focuses the content without touching the router's hash.
document.querySelector('.skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  document.getElementById('main').focus();
});
window.addEventListener('hashchange', route);
route();
