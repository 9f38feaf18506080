// The language a viewer speaks: its `lang` attribute, else the page's, else the browser's. One
// rule for the element, its POIs, AR and tours (they used to differ on the page's `lang`).

/** The full tag, lower case (`zh-cn`, `en-gb`). */
export function langOf(host) {
  return (host.getAttribute('lang') || document.documentElement.lang || navigator.language || 'en').toLowerCase();
}

/** The primary tag (`zh`, `en`, …). */
export function primaryLang(host) {
  return langOf(host).split(/[-_]/)[0] || 'en';
}

/** The text of a `{ zh, en, … }` map for `lang`: that language, else English, else Chinese,
 *  else the untagged text, else any. */
export function pick(map, lang) {
  if (!map) return '';
  return map[lang] ?? map.en ?? map.zh ?? map.und ?? map[''] ?? Object.values(map)[0] ?? '';
}
