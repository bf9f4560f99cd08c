// eventref data files: the lookup tables, read relative to the page.
//
// A served site fetches the JSON files. An offline copy (`eventref build
// --offline`) may be opened from disk (file://), where browsers refuse both
// fetch and ES modules; it has each table also as a classic script, `name.js`
// beside `name.json`, whose whole text is `eventrefData(document.currentScript, …data…);`.
// The loader inserts that script element and takes the data it handed over.
// Only files of this site are loaded, relative to the page.

const registered = new Map();
const loading = new Map();

/** JSON at `url` by fetch, or null. */
export async function fetchJson(url) {
  try {
    const r = await fetch(url);
    return r.ok ? await r.json() : null;
  } catch {
    return null;
  }
}

/** The data of the classic-script twin of JSON file `url`, or null. */
function scriptJson(url) {
  const src = String(url).replace(/\.json$/, '.js');
  if (!loading.has(src)) {
    loading.set(src, new Promise((resolve) => {
      globalThis.eventrefData ??= (script, data) => registered.set(script, data);
      const s = document.createElement('script');
      s.onload = () => {
        const d = registered.get(s);
        registered.delete(s);
        s.remove();
        resolve(d === undefined ? null : d);
      };
      s.onerror = () => {
        s.remove();
        resolve(null);
      };
      s.src = src;
      document.head.append(s);
    }));
  }
  return loading.get(src);
}

/** The data of JSON file `url` (a URL), by fetch, or in an offline copy from its script twin. */
export function loadJson(url, offline) {
  return offline ? scriptJson(url) : fetchJson(url);
}
