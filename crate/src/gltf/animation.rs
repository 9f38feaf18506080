//! Animations from their accessors (bytes → `scene::animation`). A channel that cannot be played
//! (a matrix node, weights of a node without morph targets, keyframes out of order, counts that
//! disagree) is left out with a warning; the rest of the clip and the model still load.

use super::accessor::read_vec;
use super::doc::Document;
use super::{Bytes, LoadReport};
use crate::error::LoadError;
use crate::scene::{Mesh, Node};
use crate::scene::animation::{Animation, Channel, Interpolation, Path, Sampler};

pub fn read(doc: &Document, nodes: &[Node], meshes: &[Mesh], buffers: &[Box<dyn Bytes>], report: &mut LoadReport) -> Vec<Animation> {
    doc.animations
        .iter()
        .enumerate()
        .map(|(a, anim)| {
            let mut channels = Vec::new();
            for (c, ch) in anim.channels.iter().enumerate() {
                let at = format!("/animations/{a}/channels/{c}");
                let path = match ch.path.as_str() {
                    "translation" => Path::Translation,
                    "rotation" => Path::Rotation,
                    "scale" => Path::Scale,
                    "weights" => Path::Weights,
                    other => {
                        report.warnings.push(format!("{at}: target path {other:?} is not animated"));
                        continue;
                    }
                };
                let Some(node) = ch.node else { continue };
                let targets = nodes.get(node).map_or(0, |n| n.weights.len());
                if path == Path::Weights {
                    let deforms = nodes.get(node).and_then(|n| meshes.get(n.mesh?)).is_some_and(|m| m.primitives.iter().any(|p| p.deform.is_some()));
                    if targets == 0 || !deforms {
                        report.warnings.push(format!("{at}: node {node} has no morph targets to weigh; left out"));
                        continue;
                    }
                } else if nodes.get(node).is_none_or(|n| n.rest.is_none()) {
                    report.warnings.push(format!("{at}: node {node} has a matrix, which glTF does not animate; left still"));
                    continue;
                }
                match sampler(doc, &anim.samplers[ch.sampler], path, path.width(targets), buffers) {
                    Ok(sampler) => channels.push(Channel { node, path, sampler }),
                    Err(e) => report.warnings.push(format!("{at}: {e}; left out")),
                }
            }
            let duration = channels.iter().filter_map(|c| c.sampler.times.last().copied()).fold(0.0, f32::max);
            Animation { name: anim.name.clone(), channels, duration }
        })
        .collect()
}

fn sampler(doc: &Document, s: &super::doc::AnimationSampler, path: Path, width: usize, buffers: &[Box<dyn Bytes>]) -> Result<Sampler, LoadError> {
    let times: Vec<f32> = read_vec::<1>(doc, s.input, buffers)?.into_iter().map(|[t]| t).collect();
    if times.is_empty() || times.iter().any(|t| !t.is_finite() || *t < 0.0) || times.windows(2).any(|w| w[1] < w[0]) {
        return Err(LoadError::invalid(format!("/accessors/{}", s.input), "keyframe times must be finite, not negative and in order"));
    }
    let values: Vec<f32> = match path {
        Path::Rotation => read_vec::<4>(doc, s.output, buffers)?.into_iter().flatten().collect(),
        // Scalars, `width` per key.
        Path::Weights => read_vec::<1>(doc, s.output, buffers)?.into_iter().flatten().collect(),
        _ => read_vec::<3>(doc, s.output, buffers)?.into_iter().flatten().collect(),
    };
    let per_key = if s.interpolation == Interpolation::CubicSpline { 3 } else { 1 };
    if values.len() != times.len() * per_key * width {
        return Err(LoadError::invalid(format!("/accessors/{}", s.output), format!("has {} values for {} keyframes", values.len() / width.max(1), times.len())));
    }
    Ok(Sampler { times, values, interpolation: s.interpolation, width, rotation: path == Path::Rotation })
}
