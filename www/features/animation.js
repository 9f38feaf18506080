// Animation attributes of <scenic-viewer>, with model-viewer's names: `autoplay` plays the clip
// when the model has loaded; `animation-name` picks the clip (the first when absent);
// `animation-crossfade-duration` (ms, 300 by default) blends a change of clip while playing. The
// element's methods (play, pause, currentTime, …) call the wasm viewer directly; this module
// turns what the clip's clock did into events. Frames are requested only while a clip plays and
// the element is on screen.

export const ANIMATION_ATTRIBUTES = ['animation-crossfade-duration', 'autoplay', 'animation-name'];

/** Applies the attributes in `names` (all after a load): selects the clip, starts or stops it. */
export function applyAnimation(host, viewer, warn, names = ANIMATION_ATTRIBUTES) {
  // First, so that a new clip named at the same time fades as long as asked.
  if (names.includes('animation-crossfade-duration')) {
    const raw = host.getAttribute('animation-crossfade-duration');
    let ms = raw === null || raw.trim() === '' ? 300 : Number(raw);
    if (!Number.isFinite(ms) || ms < 0) {
      warn(`animation-crossfade-duration="${raw}" is not a duration in milliseconds (0 or more); 300 is used`);
      ms = 300;
    }
    viewer.setCrossfade(ms / 1000);
  }
  if (names.includes('animation-name')) {
    try { viewer.setAnimation(host.getAttribute('animation-name') ?? ''); } catch (e) { warn(String(e?.message ?? e)); }
  }
  if (names.includes('autoplay') && viewer.availableAnimations.length) {
    if (host.hasAttribute('autoplay')) {
      if (viewer.paused) { viewer.play(); host.dispatchEvent(new CustomEvent('play')); }
    } else if (names.length === 1 && !viewer.paused) {
      // autoplay removed: stop, as a page that turns it off expects.
      viewer.pause();
      host.dispatchEvent(new CustomEvent('pause'));
    }
  }
}

/** After each frame: `loop` when the clip wrapped round, `finished` when its last repetition ended. */
export function animationEvents(host, viewer) {
  const event = viewer.takeAnimationEvent();
  if (event) host.dispatchEvent(new CustomEvent(event));
}
