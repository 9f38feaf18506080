import { src, drawn, failed } from './bench-common.js';
import { view } from './vendor/three-viewer.js';

view(src, drawn, failed);
