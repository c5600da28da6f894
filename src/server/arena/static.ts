/** The pages' stylesheet and scripts, served from this origin (no build step, no inline code). */
export const STATIC_FILES: ReadonlyMap<string, { type: string; body: string }> = new Map([
  [
    'arena.css',
    {
      type: 'text/css; charset=utf-8',
      body: `body{font-family:system-ui,sans-serif;margin:0;color:#222}nav{background:#0072B2;padding:.5em 1em}nav a,nav .who{color:#fff;margin-right:1em}
main{padding:1em}.inline{display:inline}.forms{display:flex;gap:2em}form label{display:block;margin:.4em 0}.message{color:#D55E00}
.slate{display:grid;grid-template-columns:repeat(auto-fill,minmax(12em,1fr));gap:.8em;padding:0;list-style:none}
.slate li{border:1px solid #ccc;border-radius:6px;padding:.6em}.slate li.done{background:#eef7ee}.slate button{margin:.15em}
.side-by-side{display:flex;flex-wrap:wrap;gap:2em}.kind{flex:1;min-width:28em}table{border-collapse:collapse;margin:.6em 0}
td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left}`,
    },
  ],
  [
    'shop.js',
    {
      type: 'text/javascript; charset=utf-8',
      body: `'use strict';
const csrf = document.querySelector('meta[name=csrf]').content;
const slate = document.getElementById('slate');
const status = document.getElementById('status');
const ACTIONS = [['click', 1, 'view'], ['favorite', 2, 'favourite'], ['cart', 3, 'add to cart'], ['purchase', 4, 'buy']];
async function act(impression, item, behavior, li) {
  const response = await fetch('/api/event', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ impression, item, behavior }) });
  const answer = await response.json();
  if (!response.ok) { status.textContent = answer.message; return; }
  li.classList.add('done');
  status.textContent = 'saved (event ' + answer.eventId + ')';
}
async function load() {
  status.textContent = 'loading…';
  const response = await fetch('/api/slate');
  const answer = await response.json();
  if (!response.ok) { status.textContent = answer.message; return; }
  slate.replaceChildren(...answer.items.map((item) => {
    const li = document.createElement('li');
    li.dataset.item = item.itemId;
    const title = document.createElement('div');
    title.textContent = 'item ' + item.itemId + ' · category ' + item.category;
    li.append(title);
    for (const [name, code, label] of ACTIONS) {
      const b = document.createElement('button');
      b.textContent = label;
      b.className = 'act-' + name;
      b.addEventListener('click', () => act(answer.impression, item.itemId, code, li));
      li.append(b);
    }
    return li;
  }));
  status.textContent = '';
}
document.getElementById('more').addEventListener('click', load);
load();
`,
    },
  ],
  [
    'arena.js',
    {
      type: 'text/javascript; charset=utf-8',
      body: `'use strict';
const figures = document.getElementById('figures');
setInterval(async () => {
  const response = await fetch('/arena/figures');
  if (response.ok) figures.innerHTML = await response.text();
}, 2000);
`,
    },
  ],
]);
