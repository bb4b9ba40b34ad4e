// healdeck garment renderer: one vertex layout, three fragment paths.
//  - fs_preview: Fast Preview — key light + hemisphere ambient, rim, a cheap sheen term.
//  - fs_realistic: Realistic — Charlie sheen (KHR_materials_sheen), anisotropic GGX for silk,
//    rough GGX for leather, procedural weave/knit normal detail, PCF shadow map, baked AO,
//    three-point studio light, ACES filmic tone mapping.
//  - fs_ground: the studio floor, receiving the shadow (realistic) or a soft contact shade.
// Colors are linear; the render target is sRGB, so the hardware encodes on write.

struct Globals {
    view_proj: mat4x4<f32>,
    light_view_proj: mat4x4<f32>,
    camera_pos: vec4<f32>,
    key_dir: vec4<f32>,    // xyz: direction towards the light, w: intensity
    fill_dir: vec4<f32>,
    rim_dir: vec4<f32>,
    params: vec4<f32>,     // x: ground y, y: shadows on (1/0), z: shadow texel size, w: exposure
};

struct Material {
    color: vec4<f32>,       // rgb base color, a: roughness
    print_color: vec4<f32>, // rgb print color, a: print scale
    kind: vec4<u32>,        // x: fabric (0 skin, 1 cotton, 2 denim, 3 silk, 4 leather, 5 knit, 6 linen), y: print (0 none, 1 stripes, 2 checks, 3 dots, 4 image)
    tex: vec4<f32>,         // x: texture repeat
    place: vec4<f32>,       // the print's placement: xy turn and scale [cos, sin] / size, zw offset (repeats)
};

@group(0) @binding(0) var<uniform> g: Globals;
@group(0) @binding(1) var shadow_map: texture_depth_2d;
@group(0) @binding(2) var shadow_sampler: sampler_comparison;
@group(1) @binding(0) var<uniform> m: Material;
@group(1) @binding(1) var albedo_tex: texture_2d<f32>;
@group(1) @binding(2) var albedo_sampler: sampler;

struct VsIn {
    @location(0) position: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) uv: vec2<f32>,
    @location(3) seam: f32,
    @location(4) ao: f32,
};

struct VsOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) world: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) uv: vec2<f32>,
    @location(3) seam: f32,
    @location(4) ao: f32,
};

@vertex
fn vs_main(v: VsIn) -> VsOut {
    var o: VsOut;
    o.clip = g.view_proj * vec4<f32>(v.position, 1.0);
    o.world = v.position;
    o.normal = v.normal;
    o.uv = v.uv;
    o.seam = v.seam;
    o.ao = v.ao;
    return o;
}

@vertex
fn vs_shadow(v: VsIn) -> @builtin(position) vec4<f32> {
    return g.light_view_proj * vec4<f32>(v.position, 1.0);
}

const PI: f32 = 3.14159265;

// Print coordinates turned, scaled and moved as the designer placed the print.
fn placed(q: vec2<f32>) -> vec2<f32> {
    let a = m.place.x;
    let b = m.place.y;
    return vec2<f32>(a * q.x - b * q.y, b * q.x + a * q.y) + m.place.zw;
}

// Print pattern on top of the base color.
fn base_color(uv: vec2<f32>) -> vec3<f32> {
    // Sampled unconditionally (uniform control flow); a 1x1 white texture when there is none.
    let t = textureSample(albedo_tex, albedo_sampler, placed(uv * m.tex.x)).rgb;
    // An image print is the fabric itself; a texture otherwise tints the color.
    let base = select(m.color.rgb * t, t, m.kind.y == 4u);
    let scale = max(m.print_color.a, 1.0);
    let p = placed(uv * scale);
    var mask = 0.0;
    if (m.kind.y == 1u) {
        mask = step(0.5, fract(p.y * 2.0));
    } else if (m.kind.y == 2u) {
        let c = step(0.5, fract(p.x * 2.0)) + step(0.5, fract(p.y * 2.0));
        mask = select(0.0, 0.6, c == 1.0) + select(0.0, 1.0, c == 2.0);
    } else if (m.kind.y == 3u) {
        let q = fract(p * 3.0) - vec2<f32>(0.5);
        mask = 1.0 - smoothstep(0.18, 0.22, length(q));
    }
    return mix(base, m.print_color.rgb, clamp(mask, 0.0, 1.0));
}

// Stitch lines along seams and hems: a dashed darker line.
fn seam_shade(seam: f32, uv: vec2<f32>) -> f32 {
    if (seam <= 0.01) {
        return 1.0;
    }
    let dash = step(0.45, fract((uv.x + uv.y) * 180.0));
    return 1.0 - 0.35 * seam * (0.6 + 0.4 * dash);
}

fn facing_normal(n_in: vec3<f32>, v: vec3<f32>) -> vec3<f32> {
    var n = normalize(n_in);
    // Double-sided: single-layer garments come with inconsistent winding.
    if (dot(n, v) < 0.0) {
        n = -n;
    }
    return n;
}

@fragment
fn fs_preview(i: VsOut) -> @location(0) vec4<f32> {
    let v = normalize(g.camera_pos.xyz - i.world);
    let n = facing_normal(i.normal, v);
    let l = normalize(g.key_dir.xyz);
    let albedo = base_color(i.uv) * seam_shade(i.seam, i.uv);
    let hemi = mix(vec3<f32>(0.20, 0.19, 0.18), vec3<f32>(0.42, 0.44, 0.48), n.y * 0.5 + 0.5);
    let diffuse = max(dot(n, l), 0.0) * g.key_dir.w;
    let nv = max(dot(n, v), 0.0);
    let rim = pow(1.0 - nv, 3.0) * 0.35;
    var sheen = 0.0;
    if (m.kind.x != 0u && m.kind.x != 4u) {
        sheen = pow(1.0 - nv, 5.0) * 0.25;
    }
    let c = albedo * (hemi + vec3<f32>(diffuse)) + vec3<f32>(rim + sheen) * mix(albedo, vec3<f32>(1.0), 0.5);
    return vec4<f32>(true_color(c * g.params.w), 1.0);
}

// Colour is true: the exposure (set by the renderer from the lights) brings a patch facing
// the camera to exactly its albedo, and this curve passes everything up to 0.8 through
// unchanged, rolling only highlights off towards white (ACES lifted and saturated mid-tones:
// #7a1f3d came out #b3335d).
fn true_color(x: vec3<f32>) -> vec3<f32> {
    let knee = 0.8;
    let over = max(x - vec3<f32>(knee), vec3<f32>(0.0));
    let rolled = vec3<f32>(knee) + (1.0 - knee) * (vec3<f32>(1.0) - exp(-over / (1.0 - knee)));
    return select(x, rolled, x > vec3<f32>(knee));
}

// ---- Realistic ----

// The studio floor's film look.
fn aces(x: vec3<f32>) -> vec3<f32> {
    let a = 2.51;
    let b = 0.03;
    let c = 2.43;
    let d = 0.59;
    let e = 0.14;
    return clamp((x * (a * x + b)) / (x * (c * x + d) + e), vec3<f32>(0.0), vec3<f32>(1.0));
}

fn shadow_factor(world: vec3<f32>, n: vec3<f32>) -> f32 {
    if (g.params.y < 0.5) {
        return 1.0;
    }
    let p = g.light_view_proj * vec4<f32>(world + n * 0.01, 1.0);
    let ndc = p.xyz / p.w;
    let uv = vec2<f32>(ndc.x * 0.5 + 0.5, 0.5 - ndc.y * 0.5);
    if (uv.x < 0.0 || uv.x > 1.0 || uv.y < 0.0 || uv.y > 1.0 || ndc.z > 1.0) {
        return 1.0;
    }
    let t = g.params.z;
    var sum = 0.0;
    for (var x = -1; x <= 1; x++) {
        for (var y = -1; y <= 1; y++) {
            sum += textureSampleCompareLevel(shadow_map, shadow_sampler, uv + vec2<f32>(f32(x), f32(y)) * t, ndc.z - 0.002);
        }
    }
    return sum / 9.0;
}

// Height field of the fabric's micro-structure, in texture space.
fn weave_height(uv: vec2<f32>, fabric: u32) -> f32 {
    if (fabric == 2u) { // denim twill: diagonal ribs
        return sin((uv.x * 420.0 + uv.y * 420.0) * PI);
    } else if (fabric == 5u) { // knit: rows of V loops
        let q = vec2<f32>(uv.x * 160.0, uv.y * 220.0);
        return sin(q.y * PI + abs(fract(q.x) - 0.5) * 3.0);
    } else if (fabric == 6u) { // linen: irregular plain weave
        return 0.5 * (sin(uv.x * 900.0) + sin(uv.y * 860.0 + sin(uv.x * 37.0) * 2.0));
    } else if (fabric == 1u) { // cotton: fine plain weave
        return 0.5 * (sin(uv.x * 1300.0) * sin(uv.y * 1300.0));
    } else if (fabric == 4u) { // leather grain
        let q = uv * 300.0;
        return sin(q.x + sin(q.y * 1.7)) * sin(q.y + sin(q.x * 1.3)) * 0.6;
    }
    return 0.0;
}

fn detail_normal(n: vec3<f32>, world: vec3<f32>, uv: vec2<f32>, fabric: u32) -> vec3<f32> {
    if (fabric == 0u || fabric == 3u) {
        return n;
    }
    // Cotangent frame from screen-space derivatives (no tangents needed in the mesh).
    let dp1 = dpdx(world);
    let dp2 = dpdy(world);
    let duv1 = dpdx(uv);
    let duv2 = dpdy(uv);
    let dp2perp = cross(dp2, n);
    let dp1perp = cross(n, dp1);
    let t = dp2perp * duv1.x + dp1perp * duv2.x;
    let b = dp2perp * duv1.y + dp1perp * duv2.y;
    let inv = inverseSqrt(max(max(dot(t, t), dot(b, b)), 1e-12));
    let e = 0.0008;
    let h0 = weave_height(uv, fabric);
    let hx = weave_height(uv + vec2<f32>(e, 0.0), fabric) - h0;
    let hy = weave_height(uv + vec2<f32>(0.0, e), fabric) - h0;
    // Fade the detail where one pixel covers several threads (a mip-like low-pass): no moiré.
    let footprint = max(length(duv1), length(duv2)) * select(400.0, 1300.0, fabric == 1u || fabric == 6u);
    let strength = select(0.18, 0.10, fabric == 4u) * clamp(1.5 - footprint, 0.0, 1.0);
    return normalize(n - (t * inv) * hx * strength - (b * inv) * hy * strength);
}

fn d_charlie(roughness: f32, nh: f32) -> f32 {
    let inv_r = 1.0 / max(roughness, 0.07);
    let sin2 = max(1.0 - nh * nh, 0.0078125);
    return (2.0 + inv_r) * pow(sin2, inv_r * 0.5) / (2.0 * PI);
}

fn v_neubelt(nl: f32, nv: f32) -> f32 {
    return 1.0 / (4.0 * (nl + nv - nl * nv) + 1e-4);
}

fn d_ggx(nh: f32, a: f32) -> f32 {
    let a2 = a * a;
    let d = nh * nh * (a2 - 1.0) + 1.0;
    return a2 / (PI * d * d + 1e-6);
}

fn d_ggx_aniso(n: vec3<f32>, h: vec3<f32>, t: vec3<f32>, b: vec3<f32>, ax: f32, ay: f32) -> f32 {
    let th = dot(t, h) / ax;
    let bh = dot(b, h) / ay;
    let nh = dot(n, h);
    let d = th * th + bh * bh + nh * nh;
    return 1.0 / (PI * ax * ay * d * d + 1e-6);
}

fn light(n: vec3<f32>, v: vec3<f32>, l: vec3<f32>, radiance: f32, albedo: vec3<f32>, fabric: u32, world: vec3<f32>) -> vec3<f32> {
    let nl_raw = dot(n, l);
    let wrap = select(0.0, 0.3, fabric != 0u && fabric != 4u);
    let nl = max((nl_raw + wrap) / (1.0 + wrap), 0.0);
    let nv = max(dot(n, v), 1e-3);
    let h = normalize(l + v);
    let nh = max(dot(n, h), 0.0);
    var c = albedo * nl / PI;
    if (fabric == 0u) {
        // Skin scatters light under its surface, red furthest: each channel's diffuse wraps
        // past the terminator by its own amount, so shadow edges go soft and warm.
        let wrap_rgb = vec3<f32>(0.50, 0.26, 0.20);
        let nl_rgb = clamp((vec3<f32>(nl_raw) + wrap_rgb) / (vec3<f32>(1.0) + wrap_rgb), vec3<f32>(0.0), vec3<f32>(1.0));
        c = albedo * nl_rgb / PI;
    }
    let nl_s = max(nl_raw, 0.0);
    if (fabric == 1u || fabric == 2u || fabric == 5u || fabric == 6u) {
        // Charlie sheen: cloth's soft, retro-reflective edge highlight.
        let sheen_color = mix(albedo, vec3<f32>(1.0), 0.1) * select(0.5, 0.8, fabric == 5u);
        let rough = select(0.5, 0.35, fabric == 5u);
        c += sheen_color * d_charlie(rough, nh) * v_neubelt(nl_s, nv) * nl_s;
    } else if (fabric == 3u) {
        // Silk: anisotropic highlight stretched across the threads.
        let t = normalize(cross(n, vec3<f32>(0.0, 1.0, 0.0)) + vec3<f32>(1e-4, 0.0, 0.0));
        let b = cross(n, t);
        let d = d_ggx_aniso(n, h, t, b, 0.12, 0.45);
        let f = 0.04 + 0.96 * pow(1.0 - max(dot(h, v), 0.0), 5.0);
        c += mix(albedo, vec3<f32>(1.0), 0.6) * d * f * nl_s / (4.0 * nv + 1e-3) * 0.6;
    } else if (fabric == 4u) {
        // Leather: a broad, rough specular.
        let f = 0.04 + 0.96 * pow(1.0 - max(dot(h, v), 0.0), 5.0);
        c += vec3<f32>(d_ggx(nh, 0.55) * f * nl_s / (4.0 * nv + 1e-3));
    } else {
        // Skin: a faint, rough highlight.
        let f = 0.03 + 0.97 * pow(1.0 - max(dot(h, v), 0.0), 5.0);
        c += vec3<f32>(d_ggx(nh, 0.5) * f * nl_s / (4.0 * nv + 1e-3)) * 0.5;
    }
    return c * radiance;
}

@fragment
fn fs_realistic(i: VsOut) -> @location(0) vec4<f32> {
    let v = normalize(g.camera_pos.xyz - i.world);
    let fabric = m.kind.x;
    let n0 = facing_normal(i.normal, v);
    let n = detail_normal(n0, i.world, i.uv, fabric);
    let albedo = base_color(i.uv) * seam_shade(i.seam, i.uv);
    let sh = shadow_factor(i.world, n0);
    var c = light(n, v, normalize(g.key_dir.xyz), g.key_dir.w * PI, albedo, fabric, i.world) * sh;
    c += light(n, v, normalize(g.fill_dir.xyz), g.fill_dir.w * PI, albedo, fabric, i.world);
    c += light(n, v, normalize(g.rim_dir.xyz), g.rim_dir.w * PI, albedo, fabric, i.world);
    let hemi = mix(vec3<f32>(0.16, 0.15, 0.14), vec3<f32>(0.36, 0.38, 0.42), n.y * 0.5 + 0.5);
    c += albedo * hemi * i.ao;
    return vec4<f32>(true_color(c * g.params.w), 1.0);
}

const BACKDROP: vec3<f32> = vec3<f32>(0.30, 0.31, 0.33);

@fragment
fn fs_ground(i: VsOut) -> @location(0) vec4<f32> {
    // Distance from the origin, where the model stands.
    let d = length(i.world.xz);
    var c = vec3<f32>(0.50, 0.50, 0.52);
    if (g.params.y > 0.5) {
        let sh = shadow_factor(i.world, vec3<f32>(0.0, 1.0, 0.0));
        c = aces(c * (0.45 + 0.55 * sh) * 0.95);
    } else {
        // Fast Preview: a soft contact shade under the model instead of a shadow map.
        c *= 1.0 - 0.35 * (1.0 - smoothstep(0.0, 0.35, d));
    }
    // The floor melts into the backdrop: a seamless studio sweep, no horizon line.
    let far = smoothstep(2.0, 9.0, length(i.world - g.camera_pos.xyz));
    return vec4<f32>(mix(c, BACKDROP, far), 1.0);
}
