// The cloth solver on the GPU: the same XPBD substep as the CPU solver
// (crates/healdeck-cloth/src/solver.rs and constraints.rs), one dispatch per stage, the
// constraints one colour group per dispatch (no two in a group share a particle, so each
// is projected exactly as the CPU projects it, in the same group order). Words are laid
// out as crates/healdeck-cloth/src/packed.rs packs them.

struct Particle {
    // xyz: position, w: inverse mass
    x: vec4<f32>,
    prev: vec4<f32>,
    // xyz: velocity, w: how far it can move before it could touch the collider
    v: vec4<f32>,
    // xyz: the collider's outward normal where it touched this substep, w: 1 if it did
    n: vec4<f32>,
};

struct Params {
    // xyz: gravity, w: the substep's length h
    gravity: vec4<f32>,
    // 1/h², edge damping γ, bending compliance / h², the stitches' sewing step (m)
    solve: vec4<f32>,
    // skin, friction, velocity kept per substep, the speed limit (m/s)
    motion: vec4<f32>,
    // xyz: the distance field's origin, w: its cell (m)
    sdf_origin: vec4<f32>,
    // xyz: the field's grid points along each axis, w: particles
    sdf_dims: vec4<u32>,
    // x: the floor's height, y: the distance reported outside the field, z: the strain limit
    // (infinite: none)
    world: vec4<f32>,
};

struct Group {
    first: u32,
    count: u32,
    pad0: u32,
    pad1: u32,
};

@group(0) @binding(0) var<storage, read_write> particles: array<Particle>;
@group(0) @binding(1) var<uniform> params: Params;
@group(1) @binding(0) var<uniform> group: Group;
@group(1) @binding(1) var<storage, read> words: array<u32>;
@group(1) @binding(2) var<storage, read_write> scratch: array<vec4<f32>>;

fn word_f(i: u32) -> f32 {
    return bitcast<f32>(words[i]);
}

@compute @workgroup_size(64)
fn predict(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if i >= params.sdf_dims.w {
        return;
    }
    var p = particles[i];
    p.prev = vec4<f32>(p.x.xyz, 0.0);
    if p.x.w > 0.0 {
        let h = params.gravity.w;
        let v = p.v.xyz + params.gravity.xyz * h;
        p.v = vec4<f32>(v, p.v.w);
        p.x = vec4<f32>(p.x.xyz + v * h, p.x.w);
    }
    particles[i] = p;
}

@compute @workgroup_size(64)
fn stretch(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= group.count {
        return;
    }
    let k = (group.first + id.x) * 5u;
    let a = words[k];
    let b = words[k + 1u];
    let rest = word_f(k + 2u);
    let wa = particles[a].x.w;
    let wb = particles[b].x.w;
    let xa = particles[a].x.xyz;
    let xb = particles[b].x.xyz;
    let wsum = wa + wb;
    let delta = xa - xb;
    let len = length(delta);
    if !(wsum > 0.0 && len >= 1e-9) {
        return;
    }
    let n = delta / len;
    let c = len - rest;
    var compliance = word_f(k + 3u);
    if c < 0.0 {
        compliance = word_f(k + 4u);
    }
    let alpha = compliance * params.solve.x;
    let damping = params.solve.y;
    let moved = (xa - particles[a].prev.xyz) - (xb - particles[b].prev.xyz);
    let lambda = (-c - damping * dot(n, moved)) / ((1.0 + damping) * wsum + alpha);
    particles[a].x = vec4<f32>(xa + n * (lambda * wa), wa);
    particles[b].x = vec4<f32>(xb - n * (lambda * wb), wb);
}

// The strain limit over the stretch constraints' words: an edge longer than its rest length
// × (1 + limit) is pulled back to it at once (constraints.rs's limit_edge).
@compute @workgroup_size(64)
fn limit(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= group.count {
        return;
    }
    let k = (group.first + id.x) * 5u;
    let a = words[k];
    let b = words[k + 1u];
    let pa = particles[a].x;
    let pb = particles[b].x;
    let wsum = pa.w + pb.w;
    let delta = pa.xyz - pb.xyz;
    let len = length(delta);
    if !(wsum > 0.0 && len >= 1e-9) {
        return;
    }
    let over = len - word_f(k + 2u) * (1.0 + params.world.z);
    if over > 0.0 {
        let n = delta / len;
        particles[a].x = vec4<f32>(pa.xyz - n * (over * pa.w / wsum), pa.w);
        particles[b].x = vec4<f32>(pb.xyz + n * (over * pb.w / wsum), pb.w);
    }
}

@compute @workgroup_size(64)
fn bend(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= group.count {
        return;
    }
    let k = (group.first + id.x) * 9u;
    let s = word_f(k + 8u);
    var sum = vec3<f32>(0.0);
    var denom = 0.0;
    for (var i = 0u; i < 4u; i++) {
        let p = particles[words[k + i]].x;
        let ki = word_f(k + 4u + i);
        sum = sum + p.xyz * ki;
        denom = denom + p.w * s * ki * ki;
    }
    denom = denom + params.solve.z;
    if denom < 1e-12 {
        return;
    }
    let step = sum * (s / denom);
    for (var i = 0u; i < 4u; i++) {
        let v = words[k + i];
        let p = particles[v].x;
        particles[v].x = vec4<f32>(p.xyz - step * (word_f(k + 4u + i) * p.w), p.w);
    }
}

@compute @workgroup_size(64)
fn stitch(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= group.count {
        return;
    }
    let k = (group.first + id.x) * 5u;
    let a = words[k];
    let b = words[k + 1u];
    let c = words[k + 2u];
    let t = word_f(k + 3u);
    var limit = params.solve.w;
    if words[k + 4u] != 0u {
        limit = 3.4e38;
    }
    let pa = particles[a].x;
    let pb = particles[b].x;
    if b == c || t == 0.0 {
        let wsum = pa.w + pb.w;
        let delta = pa.xyz - pb.xyz;
        let len = length(delta);
        if !(wsum > 0.0 && len >= 1e-9) {
            return;
        }
        let n = delta / len;
        let step = min(len, limit);
        particles[a].x = vec4<f32>(pa.xyz - n * (step * pa.w / wsum), pa.w);
        particles[b].x = vec4<f32>(pb.xyz + n * (step * pb.w / wsum), pb.w);
        return;
    }
    let pc = particles[c].x;
    let u = 1.0 - t;
    let wsum = pa.w + u * u * pb.w + t * t * pc.w;
    let delta = pa.xyz - (pb.xyz * (1.0 - t) + pc.xyz * t);
    let len = length(delta);
    if wsum <= 0.0 || len < 1e-9 {
        return;
    }
    let n = delta / len;
    let step = min(len, limit) / wsum;
    particles[a].x = vec4<f32>(pa.xyz - n * (step * pa.w), pa.w);
    particles[b].x = vec4<f32>(pb.xyz + n * (step * u * pb.w), pb.w);
    particles[c].x = vec4<f32>(pc.xyz + n * (step * t * pc.w), pc.w);
}

// Bands: one invocation, band after band, as the CPU does them. Words: the band count,
// then 4 per band (first particle, count, rest, closed), then the bands' particles.
const BAND_STEP: f32 = 1e-3;
// The share of an open band's correction taken in one projection (the CPU's
// OPEN_BAND_RELAXATION: taken whole, a strap's end rang against the bodice it is sewn to).
const OPEN_BAND_RELAXATION: f32 = 0.25;

fn band_particle(band_count: u32, first: u32, k: u32) -> u32 {
    return words[1u + band_count * 4u + first + k];
}

// One band: C = length − rest ≥ 0 only, each particle's gradient the difference of the
// unit vectors of its two segments (all taken before any particle moves: the segments'
// units go to the scratch buffer first), every particle's move at most BAND_STEP.
fn project_band(count: u32, j: u32) {
    let h = 1u + j * 4u;
    let first = words[h];
    let n = words[h + 1u];
    let rest = word_f(h + 2u);
    var segments = n - 1u;
    if words[h + 3u] != 0u {
        segments = n;
    }
    var length_now = 0.0;
    for (var k = 0u; k < n; k++) {
        var unit = vec3<f32>(0.0);
        if k < segments {
            let p = particles[band_particle(count, first, k)].x.xyz;
            let q = particles[band_particle(count, first, (k + 1u) % n)].x.xyz;
            let d = q - p;
            let len = length(d);
            length_now = length_now + len;
            if len > 0.0 {
                unit = d * (1.0 / len);
            }
        }
        scratch[first + k] = vec4<f32>(unit, 0.0);
    }
    let c = length_now - rest;
    if c <= 0.0 {
        return;
    }
    var denom = 0.0;
    for (var k = 0u; k < n; k++) {
        let g = band_gradient(first, n, k);
        denom = denom + particles[band_particle(count, first, k)].x.w * dot(g, g);
    }
    if denom < 1e-12 {
        return;
    }
    var share = OPEN_BAND_RELAXATION;
    if words[h + 3u] != 0u {
        share = 1.0;
    }
    let lambda = -c / denom * share;
    for (var k = 0u; k < n; k++) {
        let i = band_particle(count, first, k);
        let p = particles[i].x;
        var d = band_gradient(first, n, k) * (lambda * p.w);
        let l2 = dot(d, d);
        if l2 > BAND_STEP * BAND_STEP {
            d = BAND_STEP * (d / sqrt(l2));
        }
        particles[i].x = vec4<f32>(p.xyz + d, p.w);
    }
}

// Particle k's gradient: the unit vector of the segment before it less its own.
fn band_gradient(first: u32, n: u32, k: u32) -> vec3<f32> {
    var before = n - 1u;
    if k > 0u {
        before = k - 1u;
    }
    return scratch[first + before].xyz - scratch[first + k].xyz;
}

@compute @workgroup_size(1)
fn bands(@builtin(global_invocation_id) id: vec3<u32>) {
    let count = words[0];
    for (var j = 0u; j < count; j++) {
        project_band(count, j);
    }
}

fn sdf_value(g: vec3<u32>) -> f32 {
    let d = params.sdf_dims;
    return bitcast<f32>(words[(g.z * d.y + g.y) * d.x + g.x]);
}

// The collider at p: the body's distance field (trilinear, with its own gradient) and the
// floor; the distance and the way out.
fn collider(p: vec3<f32>) -> vec4<f32> {
    var body = vec4<f32>(params.world.y, 0.0, 1.0, 0.0);
    let f = (p - params.sdf_origin.xyz) / params.sdf_origin.w;
    let last = vec3<f32>(params.sdf_dims.xyz - vec3<u32>(1u));
    let finite = all(f == f) && all(abs(f) < vec3<f32>(3.0e38));
    if finite && all(f >= vec3<f32>(0.0)) && all(f < last) {
        let g = vec3<u32>(f);
        let t = f - vec3<f32>(g);
        let v000 = sdf_value(g);
        let v100 = sdf_value(g + vec3<u32>(1u, 0u, 0u));
        let v010 = sdf_value(g + vec3<u32>(0u, 1u, 0u));
        let v110 = sdf_value(g + vec3<u32>(1u, 1u, 0u));
        let v001 = sdf_value(g + vec3<u32>(0u, 0u, 1u));
        let v101 = sdf_value(g + vec3<u32>(1u, 0u, 1u));
        let v011 = sdf_value(g + vec3<u32>(0u, 1u, 1u));
        let v111 = sdf_value(g + vec3<u32>(1u, 1u, 1u));
        let x00 = v000 + (v100 - v000) * t.x;
        let x10 = v010 + (v110 - v010) * t.x;
        let x01 = v001 + (v101 - v001) * t.x;
        let x11 = v011 + (v111 - v011) * t.x;
        let y0 = x00 + (x10 - x00) * t.y;
        let y1 = x01 + (x11 - x01) * t.y;
        let value = y0 + (y1 - y0) * t.z;
        let ddx0 = (v100 - v000) + ((v110 - v010) - (v100 - v000)) * t.y;
        let ddx1 = (v101 - v001) + ((v111 - v011) - (v101 - v001)) * t.y;
        let dx = ddx0 + (ddx1 - ddx0) * t.z;
        let dy = (x10 - x00) + ((x11 - x01) - (x10 - x00)) * t.z;
        let dz = y1 - y0;
        var away = vec3<f32>(dx, dy, dz);
        let len = length(away);
        if len > 0.0 {
            away = away * (1.0 / len);
        } else {
            away = vec3<f32>(0.0, 1.0, 0.0);
        }
        body = vec4<f32>(value, away);
    }
    let floor = p.y - params.world.x;
    if floor < body.x {
        return vec4<f32>(floor, 0.0, 1.0, 0.0);
    }
    return body;
}

@compute @workgroup_size(64)
fn collide(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if i >= params.sdf_dims.w {
        return;
    }
    var p = particles[i];
    particles[i].n = vec4<f32>(0.0);
    if p.x.w == 0.0 {
        return;
    }
    // A distance field changes no faster than the point moves: a particle that was 3 cm
    // clear and has moved 1 mm since is still clear (v.w keeps how far it can still go).
    let room = p.v.w - distance(p.x.xyz, p.prev.xyz);
    if room > 0.0 {
        particles[i].v.w = room;
        return;
    }
    let skin = params.motion.x;
    let s = collider(p.x.xyz);
    if s.x >= skin {
        particles[i].v.w = s.x - skin;
        return;
    }
    particles[i].v.w = 0.0;
    let push = skin - s.x;
    let n = s.yzw;
    particles[i].n = vec4<f32>(n, 1.0);
    var x = p.x.xyz + n * push;
    let moved = x - p.prev.xyz;
    let slide = moved - n * dot(moved, n);
    let len = length(slide);
    if len > 0.0 {
        let hold = min(params.motion.y * push / len, 1.0);
        x = x - slide * hold;
    }
    particles[i].x = vec4<f32>(x, p.x.w);
}

@compute @workgroup_size(64)
fn velocity(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if i >= params.sdf_dims.w {
        return;
    }
    var p = particles[i];
    let h = params.gravity.w;
    var v = (p.x.xyz - p.prev.xyz) / h * params.motion.z;
    if p.n.w > 0.5 {
        v = v - p.n.xyz * max(dot(v, p.n.xyz), 0.0);
    }
    let top = params.motion.w;
    let l2 = dot(v, v);
    if l2 > top * top {
        v = top * (v / sqrt(l2));
    }
    p.v = vec4<f32>(v, p.v.w);
    particles[i] = p;
}

@compute @workgroup_size(64)
fn follow(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= group.count {
        return;
    }
    let w = words[id.x * 2u];
    let into = words[id.x * 2u + 1u];
    particles[w].x = vec4<f32>(particles[into].x.xyz, particles[w].x.w);
    particles[w].v = particles[into].v;
}
