//! MikkTSpace tangents, what the glTF spec asks for when a normal map comes without them: one
//! per triangle corner (per index when indexed, else per vertex). The loader links this natively;
//! the web viewer leaves it out of its bundles (31 KB of code a page with no such file never
//! runs) and asks this crate's own small bundle, pkg/mikktspace, in a worker or on the page
//! (www/features/tangents.js).

struct MikkInput<'a> {
    /// xyz, xyz, uv per vertex.
    positions: &'a [f32],
    normals: &'a [f32],
    uvs: &'a [f32],
    indices: Option<&'a [u32]>,
    corners: Vec<[f32; 4]>,
}

impl MikkInput<'_> {
    fn vertex(&self, face: usize, vert: usize) -> usize {
        let corner = face * 3 + vert;
        self.indices.map_or(corner, |ix| ix[corner] as usize)
    }
}

fn three(s: &[f32], v: usize) -> [f32; 3] {
    [s[v * 3], s[v * 3 + 1], s[v * 3 + 2]]
}

impl bevy_mikktspace::Geometry for MikkInput<'_> {
    fn num_faces(&self) -> usize {
        self.corners.len() / 3
    }
    fn num_vertices_of_face(&self, _face: usize) -> usize {
        3
    }
    fn position(&self, face: usize, vert: usize) -> [f32; 3] {
        three(self.positions, self.vertex(face, vert))
    }
    fn normal(&self, face: usize, vert: usize) -> [f32; 3] {
        three(self.normals, self.vertex(face, vert))
    }
    fn tex_coord(&self, face: usize, vert: usize) -> [f32; 2] {
        let v = self.vertex(face, vert);
        [self.uvs[v * 2], self.uvs[v * 2 + 1]]
    }
    fn set_tangent(&mut self, ts: Option<bevy_mikktspace::TangentSpace>, face: usize, vert: usize) {
        // A degenerate face gets any unit tangent; the normal map then has no effect there.
        self.corners[face * 3 + vert] = ts.map_or([1.0, 0.0, 0.0, 1.0], |t| t.tangent_encoded());
    }
}

/// Why the arrays cannot be one primitive's: positions and normals xyz per vertex, UVs uv per
/// vertex, indices (if any) below the vertex count.
pub fn check(positions: &[f32], normals: &[f32], uvs: &[f32], indices: Option<&[u32]>) -> Result<(), String> {
    let n = positions.len() / 3;
    if !positions.len().is_multiple_of(3) || normals.len() != positions.len() || uvs.len() != n * 2 {
        return Err(format!("mismatched arrays: {} position, {} normal and {} UV numbers", positions.len(), normals.len(), uvs.len()));
    }
    match indices.and_then(|ix| ix.iter().find(|&&i| i as usize >= n)) {
        Some(i) => Err(format!("index {i} is past the {n} vertices")),
        None => Ok(()),
    }
}

/// MikkTSpace's tangent (xyzw) per corner, from arrays `check` accepts (flat: xyz, xyz, uv).
pub fn tangents(positions: &[f32], normals: &[f32], uvs: &[f32], indices: Option<&[u32]>) -> Vec<[f32; 4]> {
    let corners = vec![[1.0, 0.0, 0.0, 1.0]; indices.map_or(positions.len() / 3, <[u32]>::len)];
    let mut input = MikkInput { positions, normals, uvs, indices, corners };
    // On failure (no faces), the defaults above stand.
    let _ = bevy_mikktspace::generate_tangents(&mut input);
    input.corners
}

#[cfg(all(target_arch = "wasm32", feature = "bundle"))]
mod web {
    use wasm_bindgen::prelude::*;

    /// `mikktspaceTangents(positions, normals, uvs, indices?)` for www/features/tangents.js: one
    /// tangent (xyzw) per corner, or an exception with the reason.
    #[wasm_bindgen(js_name = mikktspaceTangents)]
    pub fn mikktspace_tangents(positions: &[f32], normals: &[f32], uvs: &[f32], indices: Option<Vec<u32>>) -> Result<Vec<f32>, JsError> {
        super::check(positions, normals, uvs, indices.as_deref()).map_err(|e| JsError::new(&format!("mikktspaceTangents: {e}")))?;
        Ok(super::tangents(positions, normals, uvs, indices.as_deref()).into_flattened())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quad_gets_the_u_direction_and_bad_arrays_are_refused() {
        // Two triangles in the xy plane facing +z, u along +x.
        let p = [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0];
        let n = [0.0, 0.0, 1.0].repeat(4);
        let uv = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
        let ix = [0, 1, 2, 0, 2, 3];
        assert_eq!(check(&p, &n, &uv, Some(&ix)), Ok(()));
        let t = tangents(&p, &n, &uv, Some(&ix));
        assert_eq!(t.len(), 6);
        for c in t {
            assert!((c[0] - 1.0).abs() < 1e-5 && c[1].abs() < 1e-5 && c[2].abs() < 1e-5 && c[3] == 1.0, "{c:?}");
        }
        // u mirrored: the bitangent sign flips.
        let mirrored = [1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0];
        assert!(tangents(&p, &n, &mirrored, Some(&ix)).iter().all(|c| (c[0] + 1.0).abs() < 1e-5));
        assert!(check(&p, &n[..9], &uv, None).unwrap_err().contains("mismatched"));
        assert!(check(&p, &n, &uv, Some(&[0, 1, 4])).unwrap_err().contains("index 4"));
    }
}
