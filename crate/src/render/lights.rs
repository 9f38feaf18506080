//! What lights a frame, shared by both backends: the sun and sky preset (`environment`), and
//! the environment the scene is lit by and the background shows. Without an environment image
//! the preset's procedural sky is prefiltered as one (so it lights by the same split sum), and
//! the sun lights directly; an environment image holds its own sun, so the preset's is off.

use std::rc::Rc;

use crate::ibl::{self, Prefiltered};
use crate::scene::environment::Environment;

pub struct Lights {
    pub environment: Environment,
    /// The preset's sky, prefiltered.
    sky: Rc<Prefiltered>,
    /// `environment-image` (or `skybox-image` alone).
    image: Option<Rc<Prefiltered>>,
    /// `skybox-image`: the background, in place of the procedural sky.
    skybox: Option<Rc<Prefiltered>>,
    /// Bumped when the maps to upload change (the backends compare it with what they hold).
    pub version: u32,
}

impl Default for Lights {
    fn default() -> Self {
        Lights::new(Environment::default())
    }
}

impl Lights {
    pub fn new(environment: Environment) -> Lights {
        Lights { environment, sky: Rc::new(ibl::sky_lighting(&environment)), image: None, skybox: None, version: 1 }
    }

    pub fn set_environment(&mut self, env: Environment) {
        if env != self.environment {
            self.environment = env;
            self.sky = Rc::new(ibl::sky_lighting(&env));
            self.version += 1;
        }
    }

    pub fn set_images(&mut self, image: Option<Rc<Prefiltered>>, skybox: Option<Rc<Prefiltered>>) {
        self.image = image;
        self.skybox = skybox;
        self.version += 1;
    }

    /// The levels the scene is lit by.
    pub fn lighting(&self) -> &Rc<Prefiltered> {
        self.image.as_ref().unwrap_or(&self.sky)
    }

    /// The photo behind the scene, if not the procedural sky.
    pub fn skybox(&self) -> Option<&Rc<Prefiltered>> {
        self.skybox.as_ref()
    }

    /// Whether the preset's sun lights the scene (not under an environment image).
    pub fn sun(&self) -> bool {
        self.image.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sky_lights_until_an_image_does() {
        let mut l = Lights::default();
        assert!(l.sun() && l.skybox().is_none());
        let day = l.lighting().diffuse(glam::Vec3::Y);
        l.set_environment(Environment::NIGHT);
        assert!(l.lighting().diffuse(glam::Vec3::Y).x < day.x * 0.2, "the night sky lights less");
        let v = l.version;
        let photo = Rc::new(ibl::prefilter(&ibl::sky(&Environment::DUSK, 32), 32));
        l.set_images(Some(photo.clone()), Some(photo.clone()));
        assert!(l.version > v && !l.sun() && Rc::ptr_eq(l.lighting(), &photo) && l.skybox().is_some());
        l.set_images(None, None);
        assert!(l.sun() && l.lighting().diffuse(glam::Vec3::Y).x < day.x * 0.2, "back to the night sky");
    }
}
