// A toolbar button of <scenic-viewer>. Every feature module adds its own this one way: class
// `name`, part `button <part>`, put first in the toolbar (so the element's own reset and full
// screen stay last), hidden until the feature can be used.
export function toolbarButton(root, name, onClick, { hidden = false, part = name } = {}) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = name;
  b.part = `button ${part}`;
  b.hidden = hidden;
  b.addEventListener('click', onClick);
  root.querySelector('.toolbar').prepend(b);
  return b;
}
