//! POI readers against the real responses in ../shared/corpus/poi (read in place).
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use scenic::poi::{Category, GeoReference, PoiError, Position, ReadOptions, parse};

fn corpus(rel: &str) -> PathBuf {
    let dir = std::env::var_os("SCENIC_CORPUS").map(PathBuf::from).unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    dir.join("poi").join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(corpus(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn ogc_items_page_with_paging_links() {
    let page = parse(&read("ogcapi-features/ets-ogcapi-features10/items_11-20.json"), ReadOptions::default()).unwrap();
    assert_eq!(page.number_matched, Some(25));
    assert!(page.next.as_deref().is_some_and(|n| n.contains("offset=20") || n.contains("items")), "{:?}", page.next);
    assert_eq!(page.pois.len() + page.skipped.len(), 10);
}

#[test]
fn ogc_vineyards_in_crs84_are_anchored_at_their_centres() {
    let page = parse(&read("ogcapi-features/ets-ogcapi-features10/collectionItems-vineyards.json"), ReadOptions::default()).unwrap();
    assert_eq!(page.number_matched, Some(1587));
    assert!(page.next.is_some());
    assert_eq!(page.pois.len(), 3, "{:?}", page.skipped);
    for p in &page.pois {
        let Position::Geo { lon, lat, .. } = p.position else { panic!() };
        // Rhineland-Palatinate vineyards.
        assert!((6.0..9.0).contains(&lon) && (49.0..51.0).contains(&lat), "{lon},{lat}");
    }
}

#[test]
fn ogc_response_in_epsg_25832_is_rejected_not_drawn_as_degrees() {
    match parse(&read("ogcapi-features/ets-ogcapi-features10/collectionItems-vineyards-25832.json"), ReadOptions::default()) {
        Err(PoiError::Crs(m)) => assert!(m.contains("25832"), "{m}"),
        other => panic!("expected a CRS error, got {other:?}"),
    }
}

#[test]
fn schema_org_tourist_attractions() {
    let mut with_geo = 0;
    let mut skipped = 0;
    for f in std::fs::read_dir(corpus("schema-org")).unwrap() {
        let path = f.unwrap().path();
        if path.extension().is_some_and(|e| e == "jsonld") {
            let page = parse(&std::fs::read(&path).unwrap(), ReadOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            with_geo += page.pois.len();
            skipped += page.skipped.len();
            assert!(page.skipped.iter().all(|s| s.contains("geo")), "{:?}", page.skipped);
        }
    }
    // Three examples carry GeoCoordinates (one nested in a TouristDestination); the rest are
    // reported as having no position rather than placed at 0,0.
    assert_eq!(with_geo, 3);
    assert!(skipped >= 6, "{skipped}");
}

#[test]
fn ningbo_spots_keep_their_true_relative_places() {
    let page = parse(&read("ningbo/ningbo_scenic_spots.sourced.geojson"), ReadOptions::default()).unwrap();
    assert_eq!(page.pois.len(), 6);
    let tianyige = page.pois.iter().find(|p| p.id == "tianyige").unwrap();
    assert_eq!(tianyige.name.get("zh"), Some("天一阁"));
    assert_eq!(tianyige.category, Category::Museum);
    // Geo-reference the city at Tianyi Pavilion: Tianyi Square lies about 1.5 km to the east.
    let Position::Geo { lon, lat, height } = tianyige.position else { panic!() };
    let r = GeoReference::new(lon, lat, height, 0.0);
    let square = page.pois.iter().find(|p| p.name.get("en").is_some_and(|n| n.contains("Square"))).unwrap();
    let Position::Geo { lon, lat, height } = square.position else { panic!() };
    let s = r.to_scene(lon, lat, height);
    assert!(s[0] > 800.0 && s[0] < 2500.0 && s[2].abs() < 1000.0, "{s:?}");
    let unverified = parse(&read("ningbo/ningbo_scenic_spots.unverified.geojson"), ReadOptions::default()).unwrap();
    assert_eq!((unverified.pois.len(), unverified.skipped.len()), (7, 4));
}
