//! The lakeside's guided tour against the lakeside scene: every stop is a demo POI, and the
//! camera's flight from the framed view through the stops never passes through the scene, and
//! lands where the stop is in sight.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use scenic::camera::{Flight, OrbitCamera};

#[test]
fn lakeside_tour_flights_clear_the_scene() {
    let (scene, index, bounds) = common::lakeside();
    let occ = scene.occluders(index);
    let pois = scenic::poi::parse(&common::asset("lakeside-pois.geojson"), Default::default()).unwrap().pois;
    let tour = scenic::tour::parse(&common::asset("lakeside-tour.jsonld"), Default::default()).unwrap().tour;
    let mut camera = OrbitCamera::default();
    camera.frame(bounds);
    let mut now = camera.orbit;
    for (i, stop) in tour.stops.iter().enumerate() {
        let poi = pois.iter().find(|p| Some(&p.id) == stop.poi.as_ref()).unwrap();
        let scenic::poi::Position::Scene(at) = poi.position else { panic!("{} has no scene position", poi.id) };
        let to = stop.view.orbit(glam::Vec3::from_array(at), now, bounds.radius());
        let flight = Flight::plan(now, to, None, Some(&occ));
        assert!(flight.clear(&occ), "the flight to stop {} ({}) passes through the scene", i + 1, poi.id);
        now = flight.destination();
        let mut landed = OrbitCamera::default();
        landed.frame(bounds);
        landed.restore(now.yaw, now.pitch, now.distance, now.target);
        assert!(!occ.occluded(landed.eye(), now.target, 1.0), "stop {} ({}) is hidden from where the camera lands", i + 1, poi.id);
    }
}
