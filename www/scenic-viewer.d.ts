// Types for <scenic-viewer> (scenic-viewer.js). Importing the module defines the element.

export type ScenicState = 'idle' | 'loading' | 'ready' | 'error';
export type ScenicBackend = 'webgpu' | 'webgl2';

/** What was loaded: the `load` event's detail and the `info` property. */
export interface ScenicInfo {
  scenes: string[];
  scene: number;
  cameras: string[];
  triangles: number;
  images: number;
  /** Animation clip names. */
  animations: string[];
  warnings: string[];
}

/** Text in several languages, by language code (`zh`, `en`, …). */
export type LocalizedText = Record<string, string> | string;

export interface ScenicPoi {
  id: string;
  name: LocalizedText;
  category?: string;
  description?: LocalizedText;
  image?: string;
  opening_hours?: string;
  ticket_url?: string;
  audio?: string;
  priority?: number;
  /** Scene coordinates in metres, or WGS84 with `longitude`/`latitude`/`height` instead. */
  position?: [number, number, number];
  longitude?: number;
  latitude?: number;
  height?: number;
}

/** A POI as the viewer holds it (`poiList`, `poi-select`). */
export interface ScenicPlacedPoi {
  id: string;
  name: Record<string, string>;
  category: string;
  description?: Record<string, string>;
  image?: string;
  openingHours?: string;
  ticketUrl?: string;
  audioUrl?: string;
  [key: string]: unknown;
}

export interface ScenicCameraOrbit {
  /** Degrees around the vertical; 0 looks from +Z. */
  yaw: number;
  /** Degrees above the horizon. */
  pitch: number;
  /** Metres. */
  distance: number;
  target: [number, number, number];
}

export interface ScenicGpuStats {
  viewers: number;
  devices: number;
  sceneBytes: number;
  gpuBytes: number;
  /** The wasm instances' linear memory. */
  wasmBytes: number;
  /** Draw calls in the viewers' last frames (an instanced draw of many copies counts once). */
  draws: number;
}

export interface ScenicViewerEventMap extends Omit<HTMLElementEventMap, 'load' | 'error' | 'progress'> {
  load: CustomEvent<ScenicInfo>;
  error: CustomEvent<{ message: string }>;
  /** Bytes arrived so far; `total` is 0 while unknown (a compressed response announces only its compressed length). */
  progress: CustomEvent<{ loaded: number; total: number }>;
  /** The POIs are placed (after `load`; again whenever `pois` changes). */
  'poi-load': CustomEvent<{ count: number }>;
  'poi-select': CustomEvent<{ id: string; poi: ScenicPlacedPoi }>;
  'poi-warning': CustomEvent<{ count: number; reasons: string[] }>;
  'poi-error': CustomEvent<{ message: string }>;
  warning: CustomEvent<{ message: string }>;
  /** The GPU context was lost and the viewer drew again on a new one, camera and POIs kept. */
  'context-restored': CustomEvent<{ backend: 'webgpu' | 'webgl2'; lostBackend: 'webgpu' | 'webgl2' }>;
  /** The animation clip started or went on playing (`play()`, `autoplay`). */
  play: CustomEvent<void>;
  pause: CustomEvent<void>;
  /** The clip wrapped round to play again. */
  loop: CustomEvent<void>;
  /** The last of `play({ repetitions })` ended; the clip rests on its last pose. */
  finished: CustomEvent<void>;
  /** AR began (or switched: `from` is the mode left). */
  'ar-start': CustomEvent<{ mode: ScenicArMode; from?: ScenicArMode }>;
  'ar-end': CustomEvent<{ mode: ScenicArMode }>;
  /** Something AR needs was refused or is missing; `fallback` is what the viewer shows instead. */
  'ar-error': CustomEvent<{ mode: ScenicArMode | null; reason: string; message: string; fallback: 'map' | '3d' | null }>;
  /** A position fix arrived: used, or ignored (less precise than `ar-max-accuracy`). */
  'ar-position': CustomEvent<{ accepted: boolean; accuracy: number; reason?: string }>;
  /** The tour is read (`tour` attribute, `setTour`); `skipped` says why any stops were left out. */
  'tour-load': CustomEvent<ScenicTourInfo>;
  'tour-error': CustomEvent<{ message: string }>;
  /** The camera arrived at a stop (or the visitor's touch ended the flight): its narration begins. */
  'tour-stop': CustomEvent<{ id: string; index: number; stop: number; poi: string | null; name: string }>;
  /** The tour ended: `completed` after its last stop, else left (Esc, ×, `endTour()`). */
  'tour-end': CustomEvent<{ id: string; index: number; completed: boolean }>;
  'panorama-load': CustomEvent<{ panoramas: string[]; skipped: string[] }>;
  'panorama-enter': CustomEvent<{ id: string }>;
  'panorama-exit': CustomEvent<{ id: string }>;
  'panorama-error': CustomEvent<{ id: string | null; message: string }>;
  /** The tileset.json is read (`tiles` attribute): how many tiles it has, what it ignores. */
  'tiles-load': CustomEvent<{ url: string; tiles: number; warnings: string[] }>;
  /** The tileset.json could not be fetched or read; the rest of the viewer goes on. */
  'tiles-error': CustomEvent<{ url: string; message: string }>;
  /** Tiles arrived or were dropped while detail streams in. */
  'tiles-progress': CustomEvent<ScenicTilesInfo>;
  /** Nothing the view wants is still missing (full detail for this camera). */
  'tiles-ready': CustomEvent<ScenicTilesInfo>;
  /** An environment or skybox photo was applied (`width` × `height` texels as read). */
  'environment-change': CustomEvent<{ attribute: 'environment-image' | 'skybox-image'; url: string; width: number; height: number }>;
}

/** What a tileset holds and streams now (`tilesInfo()`, tiles-progress, tiles-ready). */
export interface ScenicTilesInfo {
  /** Tiles known (external tilesets and implicit subtrees add to it as they are read). */
  tiles: number;
  loaded: number;
  drawn: number;
  /** Wanted by the view and not loaded yet. */
  wanted: number;
  pending: number;
  failed: number;
  /** Bytes the loaded tiles hold (GPU, and wasm memory of their line of sight), and the budget
   *  the least recently seen are dropped under. */
  bytes: number;
  gpuBytes: number;
  wasmBytes: number;
  budget: number;
}

export interface ScenicTourInfo {
  id: string;
  name: Record<string, string>;
  description: Record<string, string>;
  /** How many stops can be shown. */
  stops: number;
  skipped: string[];
}

/** A stop as a page gives it: a POI of the viewer's by id, or a place of its own (`position` in
 *  scene metres, or `lon`/`lat`), with what to say and how to look at it. */
export interface ScenicTourStop {
  poi?: string;
  name?: string | Record<string, string>;
  text?: string | Record<string, string>;
  /** An http(s) URL. */
  audio?: string;
  /** Degrees, as camera-orbit's first value. */
  heading?: number;
  /** Degrees above the horizon. */
  pitch?: number;
  /** Metres from the stop. */
  distance?: number;
  /** Seconds the flight takes. */
  duration?: number;
  position?: [number, number, number];
  lon?: number;
  lat?: number;
}

export type ScenicArMode = 'location' | 'map' | 'webxr';
/** The WebXR sand table while it runs (metres and degrees in the XR session's space). */
export interface ScenicArTable {
  /** A surface is under the screen's centre (the model previews there). */
  surface: boolean;
  /** The tourist put the model down. */
  placed: boolean;
  anchor: [number, number, number] | null;
  yaw: number;
  /** Metres per scene unit. */
  scale: number | null;
  /** Pinch zoom relative to the table-top fit. */
  zoom: number;
}

export interface ScenicArStatus {
  position: boolean;
  /** The filtered position's 68 % radius (metres). */
  uncertainty: number | null;
  lastAccuracy: number | null;
  longitude: number | null;
  latitude: number | null;
  heading: 'reliable' | 'uncalibrated' | 'unknown' | 'none';
  /** Degrees clockwise from true north the phone points. */
  headingDeg: number | null;
  /** The magnetic declination applied to the compass (degrees, east positive; WMM2025). */
  declination: number | null;
  /** The labels are still gliding to the latest orientation. */
  settling: boolean;
}

export declare class ScenicViewer extends HTMLElement {
  static readonly observedAttributes: string[];
  /** The events the element fires. */
  static readonly events: readonly string[];
  /** Registers the offline service worker (scenic-sw.js copied to the site's root); null where
   *  the browser has no service workers. */
  static registerOffline(url?: string): Promise<ServiceWorkerRegistration | null>;
  /** What the loaded bundles hold on the GPU, summed over every viewer on the page. */
  static gpuStats(): Promise<ScenicGpuStats>;
  /** The element's own modules, relative to the file loaded, for `<link rel="modulepreload">`:
   *  scenic-viewer.js and its feature modules, or the one-file scenic-viewer.min.js alone. */
  static readonly modules: readonly string[];

  // Attributes, reflected.
  src: string;
  pois: string;
  backend: string;
  poster: string;
  loading: string;
  alt: string;
  theme: string;
  cameraOrbit: string;
  cameraTarget: string;
  autoRotate: boolean;
  autoRotateSpeed: number | null;
  exposure: number | null;
  environment: string;
  /** An equirectangular photo (Radiance .hdr, JPEG, PNG, WebP) the model is lit by, in place of the `environment` preset's sky and sun. */
  environmentImage: string;
  /** An equirectangular photo shown behind the model; it also lights it unless `environmentImage` is given. */
  skyboxImage: string;
  /** Darkness of the soft contact shadow under the model, 0..1 (0: none). */
  shadowIntensity: number | null;
  /** How soft that shadow is, 0 (sharp) .. 1 (default). */
  shadowSoftness: number | null;
  geoReference: string;
  poisCrs: string;
  autoplay: boolean;
  animationName: string;
  /** Milliseconds a change of `animationName` while playing blends from the old clip (300; 0: a cut). */
  animationCrossfadeDuration: number | null;
  /** MiB a model may take once shown (estimated before it is decoded); a larger one is an error. Default: from the device (512 on a phone without `navigator.deviceMemory`). */
  memoryBudget: number | null;
  /** Shows the AR button. */
  ar: boolean;
  /** The camera picture's vertical field of view in degrees (65). */
  arFov: number | null;
  /** POIs farther than this many metres are left out of AR (5000). */
  arMaxDistance: number | null;
  /** Position fixes less precise than this many metres are ignored (50). */
  arMaxAccuracy: number | null;
  /** The CRS of positions given to `setVisitorPosition` (wgs84, gcj02, bd09). */
  visitorCrs: string;
  /** A tour's URL: schema.org TouristTrip JSON-LD, GeoJSON stops with an `order` property, or `{ stops }`. */
  tour: string;
  /** 'off' to ignore the page address's #poi= / #view= / #walk= / #tour= links. */
  deepLinks: string;
  /** 'orbit' (default) or 'walk'; the camera in use is `data-camera-mode`. */
  cameraMode: string;
  /** Shows the mini-map: a top-down picture, POI dots, the camera's place and view; tap to fly. */
  minimap: boolean;
  /** A URL of a panorama list (see setPanoramas); photos are relative to it. */
  panoramas: string;
  /** A 3D Tiles tileset.json (1.0 b3dm/i3dm/cmpt or 1.1 glTF content), alone or beside `src`. */
  tiles: string;
  /** MiB of GPU memory the loaded tiles may hold (192). */
  tilesBudget: number | null;
  /** Screen-space error in pixels above which finer tiles are fetched (16). */
  tilesError: number | null;

  readonly state: ScenicState;
  readonly activeBackend: ScenicBackend | null;
  readonly info: ScenicInfo | null;
  readonly poiList: ScenicPlacedPoi[];

  toBlob(): Promise<Blob>;
  /** The tileset's streaming state, or null without one. */
  tilesInfo(): ScenicTilesInfo | null;
  readPixels(): Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
  setPois(pois: ScenicPoi[]): Promise<void>;
  flyTo(id: string): Promise<void>;
  selectPoi(id: string): Promise<void>;
  closeCard(): void;
  setScene(index: number): Promise<void>;
  useCamera(index: number): Promise<void>;
  resetView(): void;
  getCameraOrbit(): ScenicCameraOrbit | null;

  /** The loaded model's animation clip names. */
  readonly availableAnimations: string[];
  play(options?: { repetitions?: number }): void;
  pause(): void;
  readonly paused: boolean;
  /** Seconds into the clip; setting it shows that pose. */
  currentTime: number;
  timeScale: number;
  readonly duration: number;

  /** Call from a tap (iOS asks for motion permission only then, and a browser grants the
   *  sand table's immersive session only then). Resolves with the mode in use after fallbacks
   *  (no camera → 'map'), or null when AR cannot run (see `ar-error`). */
  enterAR(mode?: ScenicArMode): Promise<ScenicArMode | null>;
  exitAR(): void;
  readonly arMode: ScenicArMode | null;
  /** A position from the page (WeChat's JS-SDK: crs 'gcj02'); it replaces the browser's from then on. */
  setVisitorPosition(position: { longitude: number; latitude: number; altitude?: number | null; accuracy?: number; crs?: string }): Promise<void>;
  readonly arStatus: ScenicArStatus | null;
  /** The sand table (`enterAR('webxr')`) while it runs, else null. */
  readonly arTable: ScenicArTable | null;

  /** Gives the tour as an object (a TouristTrip, GeoJSON stops, or `{ id, name, stops }`). */
  setTour(tour: object | ScenicTourStop[] | { id?: string; name?: string | Record<string, string>; stops: ScenicTourStop[] }): Promise<ScenicTourInfo>;
  /** Goes to stop `index` (0-based) and plays on unless `{ play: false }`. */
  startTour(index?: number, options?: { play?: boolean }): Promise<void>;
  nextStop(): void;
  previousStop(): void;
  pauseTour(): void;
  resumeTour(): void;
  endTour(): void;
  readonly tourInfo: ScenicTourInfo | null;
  /** The stop shown (0-based) while touring, else null. */
  readonly tourStop: number | null;
  /** This page's address with a hash that restores the stop, the open POI card, where the
   *  walker stands, or the view. */
  shareUrl(): string;
  /** 360° panoramas: equirectangular photos (2:1) at a position or a POI, with hotspots. */
  setPanoramas(list: { id: string; image: string; position?: [number, number, number]; poi?: string; heading?: number; name?: string | Record<string, string>; hotspots?: { yaw: number; pitch?: number; panorama?: string; poi?: string; label?: string | Record<string, string> }[] }[]): Promise<{ panoramas: string[]; skipped: string[] }>;
  /** Resolves with the id once the photo is shown, or null (see panorama-error). */
  enterPanorama(id: string): Promise<string | null>;
  exitPanorama(): void;
  /** The panorama shown (also `data-panorama`), or null. */
  readonly panorama: string | null;
  getPanoramaView(): { yaw: number; pitch: number; fov: number } | null;
  setPanoramaView(view: { yaw: number; pitch?: number; fov?: number }): void;
  /** Switches between orbiting and walking (flown; at once under prefers-reduced-motion). */
  setCameraMode(mode: 'orbit' | 'walk'): void;
  /** Walking: where the walker stands and looks (metres, degrees), else null. */
  getWalkPose(): { feet: [number, number, number]; eye: [number, number, number]; yaw: number; pitch: number } | null;

  addEventListener<K extends keyof ScenicViewerEventMap>(type: K, listener: (this: ScenicViewer, ev: ScenicViewerEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof ScenicViewerEventMap>(type: K, listener: (this: ScenicViewer, ev: ScenicViewerEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'scenic-viewer': ScenicViewer;
  }
}
