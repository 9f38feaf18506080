//! The line-of-sight copy of a large mesh: what labels, picking and walking test against needs
//! metres, not the centimetres of a photogrammetry mesh, so a model of millions of triangles
//! keeps a simplified copy in wasm memory instead of every position and index it drew.
//!
//! Vertex clustering (Rossignac and Borrel): every vertex moves to the mean of the vertices in
//! its cell of a uniform grid, and triangles that collapse are dropped. Linear in the mesh, one
//! hash entry per occupied cell, and the error bounded by the cell.

use std::collections::HashMap;

/// Triangles a model keeps for line of sight, at most (about 10 MB of positions and indices);
/// a larger model's primitives each keep their share (see [`share`]).
pub const SIGHT_TRIANGLES: usize = 1 << 19;

/// The line-of-sight triangles a primitive of `triangles` keeps in a model of `total`: all of
/// them (usize::MAX: no limit) up to [`SIGHT_TRIANGLES`] in the model, else its share of those.
pub fn share(triangles: usize, total: u64) -> usize {
    if total <= SIGHT_TRIANGLES as u64 { usize::MAX } else { (triangles as u64 * SIGHT_TRIANGLES as u64 / total) as usize }
}

/// Clusters the triangles (`indices`, else every three positions) on a grid of `cell`-sized
/// cubes: the cells' mean positions and the triangles that still have three cells, each once.
pub fn cluster(positions: &[[f32; 3]], indices: Option<&[u32]>, cell: f32) -> (Vec<[f32; 3]>, Vec<u32>) {
    let inv = 1.0 / f64::from(cell.max(f32::MIN_POSITIVE));
    let mut cells: HashMap<(i32, i32, i32), u32> = HashMap::new();
    let mut sums: Vec<([f64; 3], u32)> = Vec::new();
    let remap: Vec<u32> = positions
        .iter()
        .map(|p| {
            // Saturating casts: a stray or non-finite coordinate lands in an edge cell.
            let key: (i32, i32, i32) = p.map(|c| (f64::from(c) * inv).floor() as i32).into();
            let id = *cells.entry(key).or_insert_with(|| {
                sums.push(([0.0; 3], 0));
                (sums.len() - 1) as u32
            });
            let s = &mut sums[id as usize];
            for k in 0..3 {
                s.0[k] += f64::from(p[k]);
            }
            s.1 += 1;
            id
        })
        .collect();
    drop(cells);
    let out: Vec<[f32; 3]> = sums.iter().map(|(s, n)| s.map(|c| (c / f64::from(*n)) as f32)).collect();
    let corner = |i: u32| remap.get(i as usize).copied();
    let mut tris: Vec<[u32; 3]> = Vec::new();
    let mut keep = |t: [u32; 3]| {
        let Some([a, b, c]) = t.map(corner).into_iter().collect::<Option<Vec<u32>>>().map(|v| [v[0], v[1], v[2]]) else { return };
        if a != b && b != c && a != c {
            tris.push([a, b, c]);
        }
    };
    match indices {
        Some(ix) => ix.chunks_exact(3).for_each(|t| keep([t[0], t[1], t[2]])),
        None => (0..positions.len() as u32 / 3).for_each(|t| keep([3 * t, 3 * t + 1, 3 * t + 2])),
    }
    // Two triangles that collapse onto the same three cells are one for line of sight.
    let canonical = |t: &[u32; 3]| {
        let mut s = *t;
        s.sort_unstable();
        s
    };
    tris.sort_unstable_by_key(canonical);
    tris.dedup_by_key(|t| canonical(t));
    (out, tris.into_iter().flatten().collect())
}

/// A copy of at most about `max` triangles (a quarter more at worst) for line of sight, or None
/// when the mesh has no more than that. The cell is first sized from the surface's area (a
/// surface clustered on cells of side c keeps about 2·area/c² triangles), then widened until
/// the copy fits.
pub fn for_sight(positions: &[[f32; 3]], indices: Option<&[u32]>, max: usize) -> Option<(Vec<[f32; 3]>, Vec<u32>)> {
    let count = indices.map_or(positions.len() / 3, |i| i.len() / 3);
    if count <= max {
        return None;
    }
    let max = max.max(1);
    let vertex = |i: u32| positions.get(i as usize).map_or([0.0; 3], |p| p.map(f64::from));
    let area: f64 = (0..count)
        .map(|t| {
            let [a, b, c] = match indices {
                Some(ix) => [ix[3 * t], ix[3 * t + 1], ix[3 * t + 2]].map(vertex),
                None => [3 * t, 3 * t + 1, 3 * t + 2].map(|i| vertex(i as u32)),
            };
            let (u, v) = ([b[0] - a[0], b[1] - a[1], b[2] - a[2]], [c[0] - a[0], c[1] - a[1], c[2] - a[2]]);
            let n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
            0.5 * (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt()
        })
        .filter(|a| a.is_finite())
        .sum();
    let bounds = super::Aabb::from_points(positions.iter().filter(|p| p.iter().all(|c| c.is_finite())));
    let diagonal = f64::from(if bounds.is_empty() { 1.0 } else { (bounds.max - bounds.min).length() });
    let mut cell = if area > 0.0 { (2.0 * area / max as f64).sqrt() } else { diagonal / (max as f64).sqrt() };
    let mut best = cluster(positions, indices, cell as f32);
    for _ in 0..8 {
        let kept = best.1.len() / 3;
        if kept <= max + max / 4 {
            break;
        }
        cell *= (kept as f64 / max as f64).sqrt().max(1.2);
        best = cluster(positions, indices, cell as f32);
    }
    Some(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bumpy square grid of `n` × `n` vertices over `size` metres, two triangles a cell.
    fn grid(n: usize, size: f32) -> (Vec<[f32; 3]>, Vec<u32>) {
        let s = size / (n - 1) as f32;
        let positions = (0..n * n).map(|k| [(k % n) as f32 * s, 0.3 * ((k % n) as f32 * 0.7).sin() * ((k / n) as f32 * 0.5).cos(), (k / n) as f32 * s]).collect();
        let mut indices = Vec::new();
        for j in 0..n - 1 {
            for i in 0..n - 1 {
                let a = (j * n + i) as u32;
                indices.extend([a, a + n as u32, a + 1, a + 1, a + n as u32, a + n as u32 + 1]);
            }
        }
        (positions, indices)
    }

    #[test]
    fn a_small_mesh_is_kept_as_it_is() {
        let (p, i) = grid(11, 10.0);
        assert!(for_sight(&p, Some(&i), 200).is_none());
    }

    #[test]
    fn a_dense_mesh_comes_down_to_about_the_budget_and_stays_where_it_was() {
        let (p, i) = grid(301, 100.0); // 180,000 triangles, 0.33 m apart
        let (sp, si) = for_sight(&p, Some(&i), 10_000).unwrap();
        let kept = si.len() / 3;
        assert!((5_000..=12_500).contains(&kept), "{kept} triangles");
        assert!(si.iter().all(|&k| (k as usize) < sp.len()));
        // Every kept vertex is on the surface within a cell or so (the surface bulges 0.3 m).
        let cell = 100.0 / (5_000f32).sqrt();
        for v in &sp {
            let expect = 0.3 * (v[0] / (100.0 / 300.0) * 0.7).sin() * (v[2] / (100.0 / 300.0) * 0.5).cos();
            assert!((v[1] - expect).abs() < 0.3 + 0.1 * cell, "{v:?}");
        }
        // It still covers the square: a ray down through any point of it hits a kept triangle.
        let tris: Vec<[glam::Vec3; 3]> = si.chunks_exact(3).map(|t| [0, 1, 2].map(|k| glam::Vec3::from_array(sp[t[k] as usize]))).collect();
        let sight = crate::geometry::bvh::Occluders::new(vec![tris], [(0, glam::Mat4::IDENTITY)]);
        for (x, z) in [(5.0, 5.0), (50.0, 50.0), (95.0, 20.0), (33.3, 77.7)] {
            assert!(sight.first_hit(glam::Vec3::new(x, 10.0, z), glam::Vec3::new(x, -10.0, z)).is_some(), "no ground at {x}, {z}");
        }
    }

    #[test]
    fn a_stripped_primitive_keeps_its_share_and_still_counts_what_it_drew() {
        let (positions, indices) = grid(301, 100.0);
        let mut p = crate::scene::Primitive { positions, normals: vec![[0.0, 1.0, 0.0]; 301 * 301], indices: Some(indices.into()), ..Default::default() };
        // A 1.8-million-triangle model of ten such primitives: each keeps a tenth of the budget.
        let total = 10 * 180_000;
        let keep = share(180_000, total);
        assert_eq!(keep, SIGHT_TRIANGLES / 10);
        p.strip(keep);
        assert!(p.normals.is_empty());
        assert!(p.indices.as_ref().unwrap().len() / 3 <= keep + keep / 4);
        assert_eq!(p.triangle_count(), 180_000);
        // Within the budget, nothing is simplified.
        assert_eq!(share(180_000, SIGHT_TRIANGLES as u64), usize::MAX);
    }

    #[test]
    fn collapsed_and_repeated_triangles_go_and_unindexed_meshes_work() {
        // Two triangles inside one cell collapse; an unindexed copy clusters the same.
        let p = vec![[0.0, 0.0, 0.0], [0.1, 0.0, 0.0], [0.0, 0.0, 0.1], [5.0, 0.0, 0.0], [0.0, 0.0, 5.0], [0.1, 0.0, 0.1]];
        let (sp, si) = cluster(&p, Some(&[0, 1, 2, 0, 3, 4, 1, 3, 4]), 1.0);
        assert_eq!(sp.len(), 3);
        assert_eq!(si.len(), 3, "the tiny triangle collapsed and the two big ones became one");
        let flat: Vec<[f32; 3]> = [0, 3, 4].map(|k| p[k]).to_vec();
        assert_eq!(cluster(&flat, None, 1.0).1.len(), 3);
        // Indices past the positions are left out, not a panic.
        assert!(cluster(&p, Some(&[0, 1, 99]), 1.0).1.is_empty());
    }
}
