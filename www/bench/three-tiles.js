import { view } from './vendor/three-tiles-viewer.js';
import { tilesParams } from './tiles-common.js';

const { url, budget, errorTarget, start } = tilesParams();
window.__tiles = view(url, { budget, errorTarget, start });
