//! What the viewer's core asks of the rooms a lite bundle leaves out (`cargo build
//! --no-default-features`): location AR, panoramas and 3D Tiles answer "nothing here". A page that
//! uses one of them gets the full bundle (the element decides; see `www/scenic-viewer.js`), so
//! these are never reached with anything to do. Tours need nothing: their room only adds methods.

#[cfg(not(feature = "ar"))]
pub(super) mod ar {
    #[derive(Default)]
    pub(in crate::web) struct ArState;

    impl ArState {
        pub(in crate::web) fn forget_targets(&mut self) {}
    }
}

#[cfg(not(feature = "panorama"))]
pub(super) mod panorama {
    use crate::camera::Orbit;
    use crate::render::View;
    use crate::web::State;

    #[derive(Default)]
    pub(in crate::web) struct PanoramaState;

    pub(in crate::web) fn shown(_: &State) -> bool {
        false
    }
    pub(in crate::web) fn view(_: &State, _aspect: f32) -> Option<View> {
        None
    }
    pub(in crate::web) fn advance(_: &mut State, _dt: f32) -> bool {
        false
    }
    pub(in crate::web) fn close(_: &mut State) -> Option<Orbit> {
        None
    }
    pub(in crate::web) fn look(_: &mut State, _dx: f32, _dy: f32) -> bool {
        false
    }
    pub(in crate::web) fn looking(_: &State) -> Option<(f32, f32)> {
        None
    }
    pub(in crate::web) fn aim(_: &mut State, _yaw: f32, _pitch: f32) -> bool {
        false
    }
    pub(in crate::web) fn zoom(_: &mut State, _factor: f32) -> bool {
        false
    }
}

#[cfg(not(feature = "tiles"))]
pub(super) mod tiles {
    use crate::geometry::Aabb;
    use crate::geometry::bvh::Occluders;
    use crate::web::State;

    #[derive(Default)]
    pub(in crate::web) struct TilesState;

    pub(in crate::web) fn reframe(_: &mut State) {}
    pub(in crate::web) fn update(_: &mut State) {}
    pub(in crate::web) fn geo(_: &State) -> Option<crate::poi::GeoReference> {
        None
    }
    pub(in crate::web) fn sights(_: &State) -> Vec<&Occluders> {
        Vec::new()
    }
    pub(in crate::web) fn bounds(_: &State) -> Option<Aabb> {
        None
    }
    pub(in crate::web) fn streaming(_: &State) -> bool {
        false
    }
    pub(in crate::web) fn keep_triangles(_: &mut State) {}
}
