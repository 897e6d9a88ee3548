// Tiny client for the Lookbook HTTP API (same origin). Errors carry the server's LB_ERR_* code.
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code ?? 'LB_ERR_INTERNAL';
  }
}

function apiKey() {
  return localStorage.getItem('lookbook.apiKey') || '';
}

async function request(method, url, body) {
  const headers = {};
  const key = apiKey();
  if (key) headers['x-api-key'] = key;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(url, { method, headers, body: payload });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** Builds a query string, repeating array values (category=a&category=b) and skipping empty ones. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    for (const x of Array.isArray(v) ? v : [v]) if (x !== '') u.append(k, String(x));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;
export const api = {
  items: (params) => request('GET', `/api/items${qs(params)}`),
  facets: () => request('GET', '/api/facets'),
  item: (id) => request('GET', `/api/items/${enc(id)}`),
  similar: (id, params) => request('GET', `/api/items/${enc(id)}/similar${qs(params)}`),
  similarToPhoto: (file, params) => {
    const fd = new FormData();
    fd.append('image', file, file.name || 'photo');
    return request('POST', `/api/similar${qs(params)}`, fd);
  },
  style: (id) => request('GET', `/api/items/${enc(id)}/style`),
  completeTheLook: (id, params) => request('GET', `/api/items/${enc(id)}/complete-the-look${qs(params)}`),
  models: () => request('GET', '/api/models'),
  recordEvent: (event) => request('POST', '/api/events', event),
  profile: (userId) => request('GET', `/api/users/${enc(userId)}/profile`),
  recommendations: (userId, params) => request('GET', `/api/users/${enc(userId)}/recommendations${qs(params)}`),
};
