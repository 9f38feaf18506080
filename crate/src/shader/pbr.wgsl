// Metallic-roughness PBR under an outdoor sky: a sun (GGX + Lambert) plus image-based light from
// an environment (the procedural sky the background shows, or an environment image), prefiltered
// into specular levels of rising roughness (t_env) and irradiance harmonics (g.sh, crate::ibl).
// Output is tone mapped with the Khronos PBR Neutral operator (keeps base colours true) and sRGB encoded, by the target format
// where it is an sRGB one, else by `encode` here.
//
// `#if NAME` lines pick a variant (crate::shader::Variant): TANGENT, UV0, UV1 and COLOR when the
// primitive has that stream and the material reads it, MASK for the alpha test (a `discard` in
// a shader costs early depth testing, so only masked materials have one), INSTANCED for one draw
// of up to INSTANCES_PER_DRAW placed copies (EXT_mesh_gpu_instancing). BLEND picks the pipeline's
// blend state, not the shader: whether alpha is kept is a uniform, which halves the fragment
// shaders the WebGL2 module carries (see build.rs).

struct Globals {
    view_proj: mat4x4<f32>,
    inv_view_proj: mat4x4<f32>,
    eye: vec4<f32>,
    sun_dir: vec4<f32>,      // towards the sun
    sun_color: vec4<f32>,    // rgb radiance, a = exposure
    sky_zenith: vec4<f32>,
    sky_horizon: vec4<f32>,
    ground: vec4<f32>,
    output: vec4<f32>,       // x: encode sRGB in the shader (the target format does not);
                             // y: the contact shadow's pass (crate::shadow): depth, not colour
    env: vec4<f32>,          // x: t_env's last level (roughness 1), y: the background is t_skybox
    sh: array<vec4<f32>, 9>, // irradiance / π as harmonics (rgb; see ibl::Prefiltered::sh)
};

struct Object {
    model: mat4x4<f32>,
    normal: mat4x4<f32>,
};

// An instanced draw's copies; 128 of them fill WebGL2's smallest uniform block limit (16 KB).
struct Objects {
    all: array<Object, INSTANCES_PER_DRAW>,
};

// One texture slot: UV set in x, has-texture in y; rows of the 2x3 UV transform in r0 / r1.
struct Slot {
    info: vec4<f32>,
    r0: vec4<f32>,
    r1: vec4<f32>,
};

struct MaterialU {
    base_color: vec4<f32>,
    emissive: vec4<f32>,     // rgb * emissive strength
    mr: vec4<f32>,           // metallic, roughness, normal scale, occlusion strength
    alpha: vec4<f32>,        // cutoff, blended (alpha kept), unlit, _
    specular: vec4<f32>,     // dielectric reflectance at normal incidence (rgb), specular strength
    clearcoat: vec4<f32>,    // clear coat strength, roughness, normal scale, _
    transmission: vec4<f32>, // transmission, IOR, _, _
    sheen: vec4<f32>,        // sheen colour (rgb), sheen roughness
    slots: array<Slot, 13>,  // base colour, metallic-roughness, normal, occlusion, emissive,
                             // specular (alpha), specular colour, clear coat (red), clear coat
                             // roughness (green), clear coat normal, transmission (red), sheen
                             // colour, sheen roughness (alpha)
};

@group(0) @binding(0) var<uniform> g: Globals;
@group(0) @binding(1) var t_env: texture_2d<f32>;
@group(0) @binding(2) var s_env: sampler;
@group(0) @binding(3) var t_skybox: texture_2d<f32>;
@group(0) @binding(4) var s_skybox: sampler;
@group(0) @binding(5) var t_brdf: texture_2d<f32>;
@group(0) @binding(6) var s_brdf: sampler;
#if INSTANCED
@group(1) @binding(0) var<uniform> objs: Objects;
#else
@group(1) @binding(0) var<uniform> obj: Object;
#endif
@group(2) @binding(0) var<uniform> mat: MaterialU;
@group(2) @binding(1) var t_base: texture_2d<f32>;
@group(2) @binding(2) var s_base: sampler;
@group(2) @binding(3) var t_mr: texture_2d<f32>;
@group(2) @binding(4) var s_mr: sampler;
@group(2) @binding(5) var t_normal: texture_2d<f32>;
@group(2) @binding(6) var s_normal: sampler;
@group(2) @binding(7) var t_occlusion: texture_2d<f32>;
@group(2) @binding(8) var s_occlusion: sampler;
@group(2) @binding(9) var t_emissive: texture_2d<f32>;
@group(2) @binding(10) var s_emissive: sampler;
@group(2) @binding(11) var t_specular: texture_2d<f32>;
@group(2) @binding(12) var s_specular: sampler;
@group(2) @binding(13) var t_specular_color: texture_2d<f32>;
@group(2) @binding(14) var s_specular_color: sampler;
@group(2) @binding(15) var t_clearcoat: texture_2d<f32>;
@group(2) @binding(16) var s_clearcoat: sampler;
@group(2) @binding(17) var t_clearcoat_roughness: texture_2d<f32>;
@group(2) @binding(18) var s_clearcoat_roughness: sampler;
@group(2) @binding(19) var t_clearcoat_normal: texture_2d<f32>;
@group(2) @binding(20) var s_clearcoat_normal: sampler;
@group(2) @binding(21) var t_transmission: texture_2d<f32>;
@group(2) @binding(22) var s_transmission: sampler;
@group(2) @binding(23) var t_sheen_color: texture_2d<f32>;
@group(2) @binding(24) var s_sheen_color: sampler;
@group(2) @binding(25) var t_sheen_roughness: texture_2d<f32>;
@group(2) @binding(26) var s_sheen_roughness: sampler;

// Vertex buffer slot = location = the stream's index in `Primitive::streams`.
struct VsIn {
    @location(0) position: vec3<f32>,
    @location(1) normal: vec3<f32>,
#if TANGENT
    @location(2) tangent: vec4<f32>,
#endif
#if UV0
    @location(3) uv0: vec2<f32>,
#endif
#if UV1
    @location(4) uv1: vec2<f32>,
#endif
#if COLOR
    @location(5) color: vec4<f32>,
#endif
};

struct VsOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) world: vec3<f32>,
    @location(1) normal: vec3<f32>,
#if TANGENT
    @location(2) tangent: vec4<f32>,
#endif
#if UV0
    @location(3) uv0: vec2<f32>,
#endif
#if UV1
    @location(4) uv1: vec2<f32>,
#endif
#if COLOR
    @location(5) color: vec4<f32>,
#endif
};

@vertex
#if INSTANCED
fn vs_main(v: VsIn, @builtin(instance_index) instance: u32) -> VsOut {
    let obj = objs.all[instance];
#else
fn vs_main(v: VsIn) -> VsOut {
#endif
    var o: VsOut;
    let world = obj.model * vec4<f32>(v.position, 1.0);
    o.world = world.xyz;
    o.clip = g.view_proj * world;
    o.normal = (obj.normal * vec4<f32>(v.normal, 0.0)).xyz;
#if TANGENT
    o.tangent = vec4<f32>((obj.model * vec4<f32>(v.tangent.xyz, 0.0)).xyz, v.tangent.w);
#endif
#if UV0
    o.uv0 = v.uv0;
#endif
#if UV1
    o.uv1 = v.uv1;
#endif
#if COLOR
    o.color = v.color;
#endif
    return o;
}

// A slot's UV set (x of its info: 0 or 1; a set the primitive lacks reads as zero), transformed.
fn slot_uv(s: Slot, in: VsOut) -> vec2<f32> {
    var uv = vec2<f32>(0.0);
#if UV0
    uv = in.uv0;
#endif
#if UV1
    uv = select(uv, in.uv1, s.info.x > 0.5);
#endif
    return vec2<f32>(dot(s.r0.xyz, vec3<f32>(uv, 1.0)), dot(s.r1.xyz, vec3<f32>(uv, 1.0)));
}

// A material slot's texel, or `unused` for an empty slot without sampling at all: where
// fragments are shaded on the CPU (SwiftShader, low-end phones) a sample of the neutral 1x1
// texture costs as much as a real one. The branch depends on the material uniform only, so
// control flow stays uniform.
fn slot_sample(t: texture_2d<f32>, s: sampler, slot: Slot, in: VsOut, unused: vec4<f32>) -> vec4<f32> {
    if (slot.info.y > 0.5) {
        return textureSample(t, s, slot_uv(slot, in));
    }
    return unused;
}

const PI: f32 = 3.14159265;

// Linear → sRGB transfer, for targets that are not sRGB formats (a WebGPU canvas).
fn encode(c: vec3<f32>) -> vec3<f32> {
    if (g.output.x < 0.5) {
        return c;
    }
    let x = clamp(c, vec3<f32>(0.0), vec3<f32>(1.0));
    return select(1.055 * pow(x, vec3<f32>(1.0 / 2.4)) - 0.055, x * 12.92, x <= vec3<f32>(0.0031308));
}

// The sky's radiance in a direction: a zenith-horizon gradient above, ground below, and a sun disc
// (only for the background; lighting adds the sun analytically).
fn sky(dir: vec3<f32>) -> vec3<f32> {
    let up = dir.y;
    let above = mix(g.sky_horizon.rgb, g.sky_zenith.rgb, sqrt(clamp(up, 0.0, 1.0)));
    let below = mix(g.sky_horizon.rgb, g.ground.rgb, clamp(-up * 4.0, 0.0, 1.0));
    return select(below, above, up >= 0.0);
}

// Where a direction falls in an equirectangular environment (three.js's orientation; ibl::dir_uv).
fn env_uv(d: vec3<f32>) -> vec2<f32> {
    return vec2<f32>(atan2(d.z, d.x) * (0.5 / PI) + 0.5, acos(clamp(d.y, -1.0, 1.0)) / PI);
}

// Irradiance / π around a normal: what the environment gives a white matte surface.
fn irradiance(n: vec3<f32>) -> vec3<f32> {
    let c = g.sh;
    let e = c[0].rgb + c[1].rgb * n.y + c[2].rgb * n.z + c[3].rgb * n.x + c[4].rgb * (n.x * n.y) + c[5].rgb * (n.y * n.z)
        + c[6].rgb * (3.0 * n.z * n.z - 1.0) + c[7].rgb * (n.x * n.z) + c[8].rgb * (n.x * n.x - n.y * n.y);
    return max(e, vec3<f32>(0.0));
}

// The environment reflected along `dir`, prefiltered for `roughness` (level = roughness × last).
fn env_specular(dir: vec3<f32>, roughness: f32) -> vec3<f32> {
    return textureSampleLevel(t_env, s_env, env_uv(dir), roughness * g.env.x).rgb;
}

// The sun's specular lobe without Fresnel: GGX distribution times Smith-GGX correlated
// visibility, for a perceptual roughness.
fn ggx(nh: f32, nl: f32, nv: f32, roughness: f32) -> f32 {
    let a = roughness * roughness;
    let a2 = a * a;
    let dd = nh * nh * (a2 - 1.0) + 1.0;
    let d = a2 / (PI * dd * dd);
    let vis = 0.5 / (nl * sqrt(nv * nv * (1.0 - a2) + a2) + nv * sqrt(nl * nl * (1.0 - a2) + a2) + 1e-5);
    return d * vis;
}

// Schlick's Fresnel: the reflectance at a cosine `c` between the normal-incidence f0 and f90.
fn schlick(f0: vec3<f32>, f90: vec3<f32>, c: f32) -> vec3<f32> {
    return f0 + (f90 - f0) * pow(1.0 - c, 5.0);
}

// The split sum's environment BRDF (crate::ibl::brdf's table, x: n·v, y: roughness), with the
// reflectance at grazing angles (f90) a material's specular strength may lower. As the Khronos
// sample renderer does (Fdez-Agüera 2019): Fresnel that rough surfaces lower at grazing angles,
// and the energy the single-scattering lobe loses (1 − A − B) given back by multiple scattering,
// so a rough white metal reflects all it receives.
fn env_brdf(f0: vec3<f32>, f90: vec3<f32>, roughness: f32, nv: f32) -> vec3<f32> {
    let ab = textureSampleLevel(t_brdf, s_brdf, vec2<f32>(nv, roughness), 0.0).rg;
    // f90 carries KHR_materials_specular's strength, which scales the grazing term too.
    let k_s = f0 + (max(vec3<f32>(1.0 - roughness), f0) - f0) * f90 * pow(1.0 - nv, 5.0);
    let single = k_s * ab.x + f90 * ab.y;
    let lost = 1.0 - ab.x - ab.y;
    let f_avg = f0 + (f90 - f0) / 21.0;
    return single + single * f_avg * lost / (1.0 - f_avg * lost);
}

fn pbr_neutral(c_in: vec3<f32>) -> vec3<f32> {
    let start = 0.8 - 0.04;
    let desat = 0.15;
    let x = min(c_in.r, min(c_in.g, c_in.b));
    let offset = select(0.04, x - 6.25 * x * x, x < 0.08);
    var c = c_in - offset;
    let peak = max(c.r, max(c.g, c.b));
    if (peak < start) {
        return c;
    }
    let d = 1.0 - start;
    let new_peak = 1.0 - d * d / (peak + d - start);
    c = c * (new_peak / peak);
    let gg = 1.0 - 1.0 / (desat * (peak - new_peak) + 1.0);
    return mix(c, vec3<f32>(new_peak), gg);
}

@fragment
fn fs_main(in: VsOut, @builtin(front_facing) front: bool) -> @location(0) vec4<f32> {
    let base_tex = slot_sample(t_base, s_base, mat.slots[0], in, vec4<f32>(1.0));
    let mr = slot_sample(t_mr, s_mr, mat.slots[1], in, vec4<f32>(1.0));
    let occlusion = slot_sample(t_occlusion, s_occlusion, mat.slots[3], in, vec4<f32>(1.0)).r;
    let emissive_tex = slot_sample(t_emissive, s_emissive, mat.slots[4], in, vec4<f32>(1.0)).rgb;

    var base = mat.base_color * base_tex;
#if COLOR
    base = base * in.color;
#endif
#if MASK
    if (base.a < mat.alpha.x) {
        discard;
    }
#endif
    if (mat.alpha.y < 0.5) {
        base.a = 1.0; // not blended: opaque whatever the texture's alpha
    }
    if (g.output.y > 0.5) {
        return vec4<f32>(vec3<f32>(in.clip.z), 1.0); // how high above the ground, for the shadow
    }
    if (mat.alpha.z > 0.5) {
        return vec4<f32>(encode(base.rgb), base.a); // KHR_materials_unlit: the colour as authored.
    }

    let roughness = clamp(mat.mr.y * mr.g, 0.04, 1.0);
    let metallic = clamp(mat.mr.x * mr.b, 0.0, 1.0);

    var n = normalize(in.normal);
    if (!front) {
        n = -n; // double-sided: light the back face as seen
    }
    // The clear coat follows the geometry unless it has a normal map of its own.
    var coat_n = n;
#if TANGENT
    // Sampled before any branch on vertex data: implicit derivatives need uniform control flow.
    let tn_raw = slot_sample(t_normal, s_normal, mat.slots[2], in, vec4<f32>(0.5, 0.5, 1.0, 1.0)).xyz;
    let cn_raw = slot_sample(t_clearcoat_normal, s_clearcoat_normal, mat.slots[9], in, vec4<f32>(0.5, 0.5, 1.0, 1.0)).xyz;
    let t_raw = in.tangent.xyz - n * dot(n, in.tangent.xyz);
    if (dot(t_raw, t_raw) > 1e-8) {
        let t = normalize(t_raw);
        let b = cross(n, t) * select(-1.0, 1.0, in.tangent.w >= 0.0);
        let tn = vec3<f32>((tn_raw.xy * 2.0 - 1.0) * mat.mr.z, tn_raw.z * 2.0 - 1.0);
        let cn = vec3<f32>((cn_raw.xy * 2.0 - 1.0) * mat.clearcoat.z, cn_raw.z * 2.0 - 1.0);
        // An unbound slot reads (0.5, 0.5, 1): the normal unchanged.
        n = normalize(t * tn.x + b * tn.y + n * tn.z);
        coat_n = normalize(t * cn.x + b * cn.y + coat_n * cn.z);
    }
#endif
    let ao = 1.0 + mat.mr.w * (occlusion - 1.0);
    let emissive = mat.emissive.rgb * emissive_tex;

    let v = normalize(g.eye.xyz - in.world);
    let l = normalize(g.sun_dir.xyz);
    let h = normalize(v + l);
    let nv = max(dot(n, v), 1e-4);
    let nl = max(dot(n, l), 0.0);
    let nh = max(dot(n, h), 0.0);
    let vh = max(dot(v, h), 0.0);
    // A dielectric reflects (ior − 1)²/(ior + 1)² times its specular colour at normal incidence,
    // at most 1, and its specular strength scales that and the grazing reflectance alike
    // (KHR_materials_ior, KHR_materials_specular; the core material: 0.04 and 1). Metals
    // reflect their base colour, and white at grazing angles.
    let specular_tex = slot_sample(t_specular, s_specular, mat.slots[5], in, vec4<f32>(1.0)).a;
    let specular_color_tex = slot_sample(t_specular_color, s_specular_color, mat.slots[6], in, vec4<f32>(1.0)).rgb;
    let weight = mat.specular.w * specular_tex;
    let f0_dielectric = min(mat.specular.rgb * specular_color_tex, vec3<f32>(1.0)) * weight;
    let f0 = mix(f0_dielectric, base.rgb, metallic);
    let f90 = mix(vec3<f32>(weight), vec3<f32>(1.0), metallic);
    let diffuse_color = base.rgb * (1.0 - metallic);

    // Transmission (KHR_materials_transmission) takes that share of the diffuse light's place.
    let transmission = mat.transmission.x * slot_sample(t_transmission, s_transmission, mat.slots[10], in, vec4<f32>(1.0)).r;

    // Sun: GGX lobe, Schlick Fresnel.
    let f = schlick(f0, f90, vh);
    let direct = ((1.0 - f) * diffuse_color * (1.0 - transmission) / PI + f * ggx(nh, nl, nv, roughness)) * g.sun_color.rgb * nl;

    // Environment: diffuse irradiance, and the specular level for this roughness (split sum).
    let spec_env = env_specular(reflect(-v, n), roughness);
    let spec_brdf = env_brdf(f0, f90, roughness, nv);
    // What the surface reflects does not also enter it.
    var diffuse_env = diffuse_color * irradiance(n) * (vec3<f32>(1.0) - spec_brdf);
    if (transmission > 0.0) {
        // A thin surface: light leaves along the view (the two sides' refractions cancel),
        // blurred by the roughness as far as the IOR bends it (none at IOR 1), tinted by the
        // base colour, less what the surface reflects (as Khronos' sample renderer does).
        let through_rough = roughness * clamp(mat.transmission.y * 2.0 - 2.0, 0.0, 1.0);
        let through = env_specular(-v, through_rough) * diffuse_color * (vec3<f32>(1.0) - spec_brdf);
        diffuse_env = mix(diffuse_env, through, transmission);
    }
    let ambient = (diffuse_env + spec_env * spec_brdf) * ao;

    var color = direct + ambient;

    // Sheen (KHR_materials_sheen): fibres over the material, lit by the sun (Charlie distribution,
    // Neubelt-Pettineo visibility) and by the environment at the sheen's roughness, weighed by
    // the lobe's albedo (crate::ibl::brdf's third channel); what they reflect the layer beneath
    // does not receive (albedo scaling, as the extension's specification describes).
    let sheen_color = mat.sheen.rgb * slot_sample(t_sheen_color, s_sheen_color, mat.slots[11], in, vec4<f32>(1.0)).rgb;
    let sheen_rough = clamp(mat.sheen.w * slot_sample(t_sheen_roughness, s_sheen_roughness, mat.slots[12], in, vec4<f32>(1.0)).a, 0.07, 1.0);
    let sheen_max = max(sheen_color.r, max(sheen_color.g, sheen_color.b));
    if (sheen_max > 0.0) {
        let albedo = textureSampleLevel(t_brdf, s_brdf, vec2<f32>(nv, sheen_rough), 0.0).b;
        let inv_a = 1.0 / (sheen_rough * sheen_rough);
        let d = (2.0 + inv_a) * pow(max(1.0 - nh * nh, 0.0), 0.5 * inv_a) / (2.0 * PI);
        let sheen_direct = d / (4.0 * (nl + nv - nl * nv)) * g.sun_color.rgb * nl;
        let sheen_env = env_specular(reflect(-v, n), sheen_rough) * albedo * ao;
        color = color * (1.0 - sheen_max * albedo) + sheen_color * (sheen_direct + sheen_env);
    }
    color = color + emissive;

    // Clear coat (KHR_materials_clearcoat): a dielectric layer of IOR 1.5 on top, lit by the sun
    // and the sky as the base is; what it reflects is taken from what reaches the base layer.
    let coat = mat.clearcoat.x * slot_sample(t_clearcoat, s_clearcoat, mat.slots[7], in, vec4<f32>(1.0)).r;
    let coat_rough = clamp(mat.clearcoat.y * slot_sample(t_clearcoat_roughness, s_clearcoat_roughness, mat.slots[8], in, vec4<f32>(1.0)).g, 0.04, 1.0);
    if (coat > 0.0) {
        let cnv = max(dot(coat_n, v), 1e-4);
        let cnl = max(dot(coat_n, l), 0.0);
        let cnh = max(dot(coat_n, h), 0.0);
        let coat_f0 = vec3<f32>(0.04); // IOR 1.5
        let coat_f90 = vec3<f32>(1.0);
        let coat_fresnel = schlick(coat_f0, coat_f90, cnv).x;
        let coat_direct = schlick(coat_f0, coat_f90, vh) * ggx(cnh, cnl, cnv, coat_rough) * g.sun_color.rgb * cnl;
        // The sky in the coat weighs by plain Fresnel, as in the sample renderer (no table).
        let coat_env = env_specular(reflect(-v, coat_n), coat_rough) * coat_fresnel * ao;
        color = color * (1.0 - coat * coat_fresnel) + coat * (coat_direct + coat_env);
    }
    color = color * g.sun_color.a;
    return vec4<f32>(encode(pbr_neutral(color)), base.a);
}

// Background: the sky behind everything, as a dome of rings around the eye. Its colour is
// worked out (tone mapped and encoded) at the dome's vertices and interpolated, so the fragments,
// which cover most of the screen, cost almost nothing where they are shaded on the CPU
// (SwiftShader, low-end phones); only the sun's disc is shaded per fragment. The gradient
// depends on height alone, and the rings sit densest near the horizon where it changes fastest.
// SKY_BELOW rings below the horizon (the ground blend over heights -0.25..0, then steps to the nadir),
// SKY_ABOVE above it (evenly spaced in sqrt(height), the zenith gradient's variable), SKY_SEGMENTS
// around: constants the renderer prepends to this file.

struct SkyOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) color: vec3<f32>,
    @location(1) dir: vec3<f32>,
};

// Height (sine of elevation) of ring `r`, from the nadir (0) to the zenith (SKY_BELOW + SKY_ABOVE).
// Below the ground blend the rings step down to the nadir: one band from there to the nadir made
// triangles reaching a direction square to the view, where clip w is 0, and their depth fell short
// of the far plane, so the ground was drawn over a model's lower part (below ~15° under a level
// view).
fn sky_ring(r: u32) -> f32 {
    if (r == 0u) {
        return -1.0;
    }
    if (r == 1u) {
        return -0.9;
    }
    if (r == 2u) {
        return -0.75;
    }
    if (r == 3u) {
        return -0.5;
    }
    if (r < SKY_BELOW) {
        return -0.05 * f32(SKY_BELOW - r);
    }
    let k = f32(r - SKY_BELOW) / f32(SKY_ABOVE);
    return k * k;
}

fn sky_output(c: vec3<f32>) -> vec3<f32> {
    return encode(pbr_neutral(c * g.sun_color.a));
}

@vertex
fn vs_sky(@builtin(vertex_index) i: u32) -> SkyOut {
    // Two triangles per quad of the (ring band × segment) grid.
    let corner = i % 6u;
    let quad = i / 6u;
    let du = select(0u, 1u, corner == 1u || corner == 4u || corner == 5u);
    let dv = select(0u, 1u, corner == 2u || corner == 3u || corner == 5u);
    let up = sky_ring(quad / SKY_SEGMENTS + dv);
    let az = f32(quad % SKY_SEGMENTS + du) * (2.0 * PI / f32(SKY_SEGMENTS));
    let across = sqrt(max(1.0 - up * up, 0.0));
    let dir = vec3<f32>(across * cos(az), up, across * sin(az));
    var o: SkyOut;
    // A direction (w = 0): the view's rotation applies and its translation does not. z = w puts
    // the dome on the far plane, behind all geometry.
    let clip = g.view_proj * vec4<f32>(dir, 0.0);
    o.clip = clip.xyww;
    o.color = sky_output(sky(dir));
    o.dir = dir;
    return o;
}

@fragment
fn fs_sky(in: SkyOut) -> @location(0) vec4<f32> {
    let dir = normalize(in.dir);
    if (g.env.y > 0.5) {
        // skybox-image: the photo, sharp (its first level), per fragment.
        return vec4<f32>(sky_output(textureSampleLevel(t_skybox, s_skybox, env_uv(dir), 0.0).rgb), 1.0);
    }
    let sun = smoothstep(0.9995, 0.9998, dot(dir, g.sun_dir.xyz)); // sun_dir is unit length
    if (sun > 0.0) {
        return vec4<f32>(sky_output(sky(dir) + sun * vec3<f32>(4.0, 3.6, 3.0)), 1.0);
    }
    return vec4<f32>(in.color, 1.0);
}
