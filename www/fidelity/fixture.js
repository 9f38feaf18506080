const viewer = document.getElementById('viewer');
const params = new URLSearchParams(location.search);
viewer.setAttribute('backend', params.get('backend') || 'auto');
if (params.get('size')) viewer.style.width = viewer.style.height = `${Number(params.get('size'))}px`;
if (params.get('lang')) viewer.setAttribute('lang', params.get('lang'));
if (params.get('pois')) viewer.setAttribute('pois', params.get('pois'));
if (params.get('geo')) viewer.setAttribute('geo-reference', params.get('geo'));
if (params.has('ar')) viewer.setAttribute('ar', '');
if (params.get('src')) viewer.setAttribute('src', params.get('src'));
