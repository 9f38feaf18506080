// The demo page: ?src=URL views any model, ?backend=webgpu|webgl2 forces a backend.
const viewer = document.getElementById('viewer');
const status = document.getElementById('status');
const params = new URLSearchParams(location.search);
if (params.get('backend')) viewer.setAttribute('backend', params.get('backend'));
if (params.get('src')) {
  viewer.removeAttribute('pois'); // the page's POIs belong to the page's scene
  viewer.setAttribute('src', params.get('src'));
}
if (params.get('pois')) viewer.setAttribute('pois', params.get('pois'));
if (params.get('lang')) viewer.setAttribute('lang', params.get('lang'));
viewer.addEventListener('load', (e) => {
  status.textContent = `${viewer.activeBackend} · ${e.detail.triangles.toLocaleString()} triangles`;
});
viewer.addEventListener('error', (e) => { status.textContent = e.detail.message; });
