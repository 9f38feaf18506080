const viewer = document.getElementById('viewer');
const params = new URLSearchParams(location.search);
viewer.setAttribute('backend', params.get('backend') || 'auto');
if (params.get('src')) viewer.setAttribute('src', params.get('src'));
