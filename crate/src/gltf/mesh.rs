//! glTF meshes → scene primitives: attributes decoded, topology unrolled, normals and tangents
//! generated where the spec asks for them.

use super::doc::{self, Document, Mode};
use super::{Bytes, LoadReport};
use super::accessor::{arrays, in_file as in_file_at, read_colors, read_indices, read_vec};
use crate::error::LoadError;
use crate::geometry::{Aabb, flat_normals, mikktspace_tangents, unroll, unweld, weld_tangents};
use crate::scene::deform::{Deform, Target};
use crate::scene::{FileStream, Indices, Mesh, Primitive, STREAMS, Scene, Topology};

pub fn mesh(
    doc: &Document,
    index: usize,
    m: &doc::Mesh,
    buffers: &[Box<dyn Bytes>],
    report: &mut LoadReport,
    jobs: &mut Vec<TangentJob>,
    on_primitive: &mut super::OnPrimitive,
) -> Result<Mesh, LoadError> {
    let mut primitives = Vec::new();
    for (i, p) in m.primitives.iter().enumerate() {
        let at = format!("/meshes/{index}/primitives/{i}");
        if let Some(b) = missing_buffer(doc, p, buffers) {
            report.warnings.push(format!("{at}: buffer {b} has no data; not drawn"));
            continue;
        }
        match primitive(doc, p, buffers, &at)? {
            Some((mut prim, tangent_uvs)) => {
                match tangent_uvs {
                    Some(uv_set) => jobs.push(TangentJob { mesh: index, primitive: primitives.len(), uv_set }),
                    None => {
                        on_primitive(index, primitives.len(), &mut prim, &|f, at, out| buffers.get(f.buffer).is_some_and(|b| b.read_into(f.start + at, out)));
                        // What a caller that does not upload left in the file is read now.
                        from_file(&mut prim, buffers, &at)?;
                    }
                }
                primitives.push(prim);
            }
            None => report.warnings.push(format!("{at}: no POSITION attribute; not drawn")),
        }
    }
    Ok(Mesh { primitives })
}

/// Reads the streams still in the file (`Primitive::in_file`) into the primitive.
fn from_file(p: &mut Primitive, buffers: &[Box<dyn Bytes>], at: &str) -> Result<(), LoadError> {
    for slot in 1..6 {
        let Some(f) = p.in_file[slot].take() else { continue };
        let mut flat = vec![0f32; f.len / 4];
        if !buffers.get(f.buffer).is_some_and(|b| b.read_into(f.start, bytemuck::cast_slice_mut(&mut flat))) {
            return Err(LoadError::invalid(at, "a vertex stream lies outside its buffer"));
        }
        match slot {
            1 => p.normals = arrays(flat),
            2 => p.tangents = Some(arrays(flat)),
            3 => p.uv0 = Some(arrays(flat)),
            4 => p.uv1 = Some(arrays(flat)),
            _ => p.colors = Some(arrays(flat)),
        }
    }
    Ok(())
}

/// A buffer this primitive reads that was never loaded (a `.gltf` buffer without a URI, a
/// remote URI in a disk load): the primitive is skipped, as a missing texture would be.
fn missing_buffer(doc: &Document, p: &doc::Primitive, buffers: &[Box<dyn Bytes>]) -> Option<usize> {
    let accessors = p.attributes.iter().map(|&(_, a)| a).chain(p.indices);
    accessors
        .filter_map(|a| doc.accessors[a].view)
        .map(|v| doc.views[v].buffer)
        .find(|&b| buffers.get(b).is_some_and(|b| b.is_empty()))
}

/// The primitive, and the UV set of its normal map when it needs generated tangents.
fn primitive(doc: &Document, p: &doc::Primitive, buffers: &[Box<dyn Bytes>], at: &str) -> Result<Option<(Primitive, Option<u32>)>, LoadError> {
    let Some(pos) = p.attribute("POSITION") else { return Ok(None) };
    let attr = |name| p.attribute(name);
    // The indices are read first: they take the largest free block that the previous
    // primitive's arrays left in wasm memory, and the positions fit around it where they can
    // (as 32-bit, the largest array, they found no block whole the other way round; 16-bit,
    // they are about the positions' size).
    let n = doc.accessors[pos].count;
    let raw = p.indices.map(|a| read_indices(doc, a, buffers, n)).transpose()?;
    let mut positions = read_vec::<3>(doc, pos, buffers)?;
    let mut deform = deform(doc, p, buffers, at, n)?;
    // The streams only the GPU reads stay in the file where they are as it takes them, for the
    // renderer to copy from there (scene::FileStream), unless they are needed here: for
    // generated normals or tangents, or deformation.
    let mut in_file: [Option<FileStream>; 6] = Default::default();
    if attr("NORMAL").is_some() && doc.tangent_uv_set(p).is_none() && deform.is_none() {
        for (slot, s) in STREAMS.iter().enumerate().skip(1) {
            // (A wrong count is read, and refused below with the others.)
            if let Some(a) = attr(s.attribute).filter(|&a| doc.accessors[a].count == n) {
                in_file[slot] = in_file_at(doc, a, buffers, s.components as usize).transpose()?;
            }
        }
    }
    let kept = |slot: usize| in_file[slot].is_none();
    let normals = attr("NORMAL").map(|a| if kept(1) { read_vec::<3>(doc, a, buffers) } else { Ok(Vec::new()) }).transpose()?;
    let tangents = attr("TANGENT").map(|a| if kept(2) { read_vec::<4>(doc, a, buffers) } else { Ok(Vec::new()) }).transpose()?;
    let mut uv0 = attr("TEXCOORD_0").map(|a| if kept(3) { read_vec::<2>(doc, a, buffers) } else { Ok(Vec::new()) }).transpose()?;
    let mut uv1 = attr("TEXCOORD_1").map(|a| if kept(4) { read_vec::<2>(doc, a, buffers) } else { Ok(Vec::new()) }).transpose()?;
    let mut colors = attr("COLOR_0").map(|a| if kept(5) { read_colors(doc, a, buffers) } else { Ok(Vec::new()) }).transpose()?;
    let n = positions.len();
    let len = |slot: usize, v: Option<usize>| if kept(slot) { v } else { Some(n) };
    for (name, len) in [
        ("NORMAL", len(1, normals.as_ref().map(Vec::len))),
        ("TANGENT", len(2, tangents.as_ref().map(Vec::len))),
        ("TEXCOORD_0", len(3, uv0.as_ref().map(Vec::len))),
        ("TEXCOORD_1", len(4, uv1.as_ref().map(Vec::len))),
        ("COLOR_0", len(5, colors.as_ref().map(Vec::len))),
    ] {
        if len.is_some_and(|l| l != n) {
            return Err(LoadError::invalid(format!("{at}/attributes/{name}"), format!("has {} elements, POSITION has {n}", len.unwrap_or(0))));
        }
    }
    if let Some(bad) = raw.as_ref().and_then(|ix| ix.iter().find(|&i| i as usize >= n)) {
        return Err(LoadError::invalid(format!("{at}/indices"), format!("index {bad} is out of range for {n} vertices")));
    }
    let mode = p.mode;
    let topology = match mode {
        Mode::Points => Topology::Points,
        Mode::Lines | Mode::LineLoop | Mode::LineStrip => Topology::Lines,
        Mode::Triangles | Mode::TriangleStrip | Mode::TriangleFan => Topology::Triangles,
    };
    let mut indices = match (raw, mode) {
        (raw, Mode::Points | Mode::Lines | Mode::Triangles) => raw,
        (raw, _) => Some(Indices::compact(unroll(mode, raw.map_or_else(|| (0..n as u32).collect(), Indices::into_u32)), n)),
    };
    if let Some(ix) = &mut indices {
        let per = match topology {
            Topology::Points => 1,
            Topology::Lines => 2,
            Topology::Triangles => 3,
        };
        ix.truncate(ix.len() / per * per);
    }

    // Generated normals are flat, which needs one vertex per corner: unweld the primitive first.
    if topology == Topology::Triangles && normals.is_none() {
        if let Some(ix) = indices.take().map(Indices::into_u32) {
            positions = unweld(&positions, &ix);
            uv0 = uv0.map(|v| unweld(&v, &ix));
            uv1 = uv1.map(|v| unweld(&v, &ix));
            colors = colors.map(|v| unweld(&v, &ix));
            if let Some(d) = deform.as_mut() {
                d.unweld(&ix);
            }
        }
        let whole = positions.len() / 3 * 3;
        positions.truncate(whole);
        for v in [uv0.as_mut(), uv1.as_mut()].into_iter().flatten() {
            v.truncate(whole);
        }
        if let Some(v) = colors.as_mut() {
            v.truncate(whole);
        }
        if let Some(d) = deform.as_mut() {
            d.truncate(whole);
            d.flat = true;
        }
    }
    let normals = match normals {
        Some(n) => n,
        None if topology == Topology::Triangles => flat_normals(&positions),
        // Points and lines are drawn unlit-ish; any normal will do.
        None => vec![[0.0, 1.0, 0.0]; positions.len()],
    };
    // MikkTSpace runs after the build (see `TangentJob`): on the web in a worker, whose memory
    // goes with it (it peaks at ~140 bytes per corner; wasm memory here never shrinks).
    let tangent_uvs = doc.tangent_uv_set(p).filter(|&set| if set == 1 { uv1.is_some() } else { uv0.is_some() });
    let primitive = Primitive {
        topology,
        bounds: Aabb::from_points(&positions),
        positions,
        normals,
        tangents,
        uv0,
        uv1,
        colors,
        indices,
        material: p.material,
        deform: deform.map(Box::new),
        drawn_triangles: None,
        in_file,
    };
    Ok(Some((primitive, tangent_uvs)))
}

/// JOINTS_0 / WEIGHTS_0 and morph targets, where the primitive has them (each with `n`
/// elements, as POSITION). Further joint sets (JOINTS_1: more than four influences) are
/// not read.
fn deform(doc: &Document, p: &doc::Primitive, buffers: &[Box<dyn Bytes>], at: &str, n: usize) -> Result<Option<Deform>, LoadError> {
    let read3 = |name: &str, a: usize, at: &str| -> Result<Vec<[f32; 3]>, LoadError> {
        let v = read_vec::<3>(doc, a, buffers)?;
        if v.len() != n {
            return Err(LoadError::invalid(format!("{at}/{name}"), format!("has {} elements, POSITION has {n}", v.len())));
        }
        Ok(v)
    };
    let targets: Vec<Target> = p
        .targets
        .iter()
        .enumerate()
        .map(|(t, attrs)| {
            let at = format!("{at}/targets/{t}");
            let get = |name: &str| attrs.iter().find(|(k, _)| k == name).map(|&(_, a)| read3(name, a, &at)).transpose();
            Ok(Target { positions: get("POSITION")?, normals: get("NORMAL")?, tangents: get("TANGENT")? })
        })
        .collect::<Result<_, LoadError>>()?;
    let skin = match (p.attribute("JOINTS_0"), p.attribute("WEIGHTS_0")) {
        (Some(j), Some(w)) => {
            let joints = read_vec::<4>(doc, j, buffers)?;
            let weights = read_vec::<4>(doc, w, buffers)?;
            if joints.len() != n || weights.len() != n {
                return Err(LoadError::invalid(format!("{at}/attributes/JOINTS_0"), format!("JOINTS_0 and WEIGHTS_0 have {} and {} elements, POSITION has {n}", joints.len(), weights.len())));
            }
            // Joint indices are unsigned integers in the file; anything else is read as 0.
            let joints = joints.into_iter().map(|j| j.map(|x| if (0.0..65536.0).contains(&x) { x as u16 } else { 0 })).collect();
            // Weights should sum to 1; exporters' rounding is normalised away.
            let weights = weights
                .into_iter()
                .map(|w| {
                    let w = w.map(|x| if x.is_finite() { x.max(0.0) } else { 0.0 });
                    let sum: f32 = w.iter().sum();
                    if sum > 0.0 { w.map(|x| x / sum) } else { w }
                })
                .collect();
            Some((joints, weights))
        }
        _ => None,
    };
    if targets.is_empty() && skin.is_none() {
        return Ok(None);
    }
    let (joints, weights) = skin.unwrap_or_default();
    Ok(Some(Deform { joints, weights, targets, ..Default::default() }))
}

/// A primitive whose normal map needs the MikkTSpace tangents its file lacks: what `build`
/// generates in place, and what `build_with` leaves to its caller (the web room runs MikkTSpace
/// in a worker and hands the result to [`TangentJob::apply`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TangentJob {
    pub mesh: usize,
    pub primitive: usize,
    /// The UV set the normal map reads.
    pub uv_set: u32,
}

/// MikkTSpace's inputs: positions, normals, UVs and (when indexed) indices.
pub type TangentInputs<'a> = (&'a [[f32; 3]], &'a [[f32; 3]], &'a [[f32; 2]], Option<&'a Indices>);

impl TangentJob {
    pub fn inputs<'a>(&self, scene: &'a Scene) -> TangentInputs<'a> {
        let p = &scene.meshes[self.mesh].primitives[self.primitive];
        let uvs = if self.uv_set == 1 { p.uv1.as_deref() } else { p.uv0.as_deref() };
        (&p.positions, &p.normals, uvs.unwrap_or_default(), p.indices.as_ref())
    }

    /// Takes MikkTSpace's tangents, one per corner of `inputs` (per index, else per vertex),
    /// welding them to one per vertex: a vertex is copied only where its corners disagree.
    /// False (and nothing changed) when `corners` has the wrong length.
    pub fn apply(&self, scene: &mut Scene, corners: Vec<[f32; 4]>) -> bool {
        let p = &mut scene.meshes[self.mesh].primitives[self.primitive];
        if corners.len() != p.indices.as_ref().map_or(p.positions.len(), Indices::len) {
            return false;
        }
        p.tangents = Some(match p.indices.as_mut() {
            None => corners,
            Some(ix) => {
                let (per_vertex, copies) = weld_tangents(&corners, ix, p.positions.len());
                drop(corners);
                // The copied vertices repeat their originals' attributes, appended.
                p.positions.extend(unweld(&p.positions, &copies));
                p.normals.extend(unweld(&p.normals, &copies));
                for v in [p.uv0.as_mut(), p.uv1.as_mut()].into_iter().flatten() {
                    v.extend(unweld(v, &copies));
                }
                if let Some(v) = p.colors.as_mut() {
                    v.extend(unweld(v, &copies));
                }
                if let Some(d) = p.deform.as_deref_mut() {
                    d.extend_copies(&copies);
                }
                per_vertex
            }
        });
        true
    }

    /// Generates the tangents here.
    pub fn run(&self, scene: &mut Scene) {
        let (positions, normals, uvs, indices) = self.inputs(scene);
        let corners = mikktspace_tangents(positions, normals, uvs, indices.map(Indices::to_u32).as_deref());
        self.apply(scene, corners);
    }
}
