//! Scenic: glTF scenic areas in the browser, drawn with wgpu.
//!
//! Rooms, dependencies pointing one way: `scene` (plain data) ← `gltf` (loading), `geometry`,
//! `camera`, `shader` (pure logic, tested natively) ← `render` (its draw list and uniforms pure;
//! the wgpu and WebGL2 backends on wasm) ← `web` (the only room that touches
//! wasm-bindgen and the DOM).

pub mod ar;
pub mod camera;
pub mod error;
pub mod geometry;
pub mod gltf;
pub mod ibl;
pub mod number;
pub mod overlay;
pub mod panorama;
pub mod poi;
pub mod render;
pub mod scene;
pub mod shadow;
pub mod tiles;
pub mod shader;
pub mod tour;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::LoadError;
