// The `memory-budget` attribute of <scenic-viewer>: MiB a model may take once shown (geometry and
// textures, estimated from the file before it is decoded). A larger model is refused with a
// message instead of a phone killing the tab half way. Absent: a default for the device, from
// `navigator.deviceMemory` (Chromium) or, where that is unknown, a phone's 512 MiB on a touch
// screen and 2 GiB elsewhere.

/** The budget in MiB for the next load; a wrong value warns and the default is used. */
export function memoryBudget(host, warn) {
  const raw = host.getAttribute('memory-budget');
  if (raw !== null && raw.trim() !== '') {
    const mib = Number(raw);
    if (Number.isFinite(mib) && mib > 0) return mib;
    warn(`memory-budget="${raw}" is not a number of MiB above 0; the device's default is used`);
  }
  return defaultBudget();
}

function defaultBudget() {
  const gib = navigator.deviceMemory;
  // A quarter of the device's memory, within 256 MiB to 2 GiB.
  if (Number.isFinite(gib) && gib > 0) return Math.min(2048, Math.max(256, gib * 256));
  return globalThis.matchMedia?.('(pointer: coarse)').matches ? 512 : 2048;
}
