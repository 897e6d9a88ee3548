/**
 * sRGB (D65) ↔ CIELAB conversion and colour differences (ΔE76, CIEDE2000).
 * Pure functions; the per-pixel path (rasterToLab) uses a lookup table for the sRGB transfer curve.
 */

export type Lab = [number, number, number];

/** sRGB 8-bit → linear light, precomputed. */
const SRGB_TO_LINEAR = new Float64Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  SRGB_TO_LINEAR[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

// D65 reference white (2°), scaled so Y = 1.
const XN = 0.95047;
const YN = 1.0;
const ZN = 1.08883;
const EPS = 216 / 24389;
const KAPPA = 24389 / 27;

function f(t: number): number {
  return t > EPS ? Math.cbrt(t) : (KAPPA * t + 16) / 116;
}

function fInv(t: number): number {
  const t3 = t * t * t;
  return t3 > EPS ? t3 : (116 * t - 16) / KAPPA;
}

/** Linear RGB → Lab, writing into out[o..o+2]. */
function linearToLab(r: number, g: number, b: number, out: Float32Array | number[], o: number): void {
  const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / XN;
  const y = (0.2126729 * r + 0.7151522 * g + 0.072175 * b) / YN;
  const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / ZN;
  const fx = f(x);
  const fy = f(y);
  const fz = f(z);
  out[o] = 116 * fy - 16;
  out[o + 1] = 500 * (fx - fy);
  out[o + 2] = 200 * (fy - fz);
}

/** 8-bit sRGB → CIELAB (D65). */
export function rgbToLab(r: number, g: number, b: number): Lab {
  const out: number[] = [0, 0, 0];
  linearToLab(SRGB_TO_LINEAR[r & 255]!, SRGB_TO_LINEAR[g & 255]!, SRGB_TO_LINEAR[b & 255]!, out, 0);
  return out as Lab;
}

function linearToSrgb8(c: number): number {
  const v = c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055;
  return Math.max(0, Math.min(255, Math.round(v * 255)));
}

/** CIELAB (D65) → 8-bit sRGB, clipped to the gamut. */
export function labToRgb(lab: Lab): [number, number, number] {
  const fy = (lab[0] + 16) / 116;
  const fx = fy + lab[1] / 500;
  const fz = fy - lab[2] / 200;
  const x = fInv(fx) * XN;
  const y = (lab[0] > KAPPA * EPS ? fy * fy * fy : lab[0] / KAPPA) * YN;
  const z = fInv(fz) * ZN;
  const r = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z;
  const g = -0.969266 * x + 1.8760108 * y + 0.041556 * z;
  const b = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z;
  return [linearToSrgb8(r), linearToSrgb8(g), linearToSrgb8(b)];
}

export function rgbToHex(rgb: [number, number, number]): string {
  return '#' + rgb.map((v) => v.toString(16).padStart(2, '0')).join('');
}

export function hexToRgb(hex: string): [number, number, number] {
  const h = hex.replace(/^#/, '');
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

export function labToHex(lab: Lab): string {
  return rgbToHex(labToRgb(lab));
}

/** f(t) tabulated on [0, F_MAX] for the per-pixel path (linear interpolation, error < 1e-4 in L*). */
const F_SIZE = 4096;
const F_MAX = 1.1;
const F_TABLE = new Float64Array(F_SIZE + 2);
for (let i = 0; i <= F_SIZE + 1; i++) F_TABLE[i] = f((i / F_SIZE) * F_MAX);

function fFast(t: number): number {
  const u = (t / F_MAX) * F_SIZE;
  if (!(u >= 0) || u >= F_SIZE) return f(t);
  const i = u | 0;
  const w = u - i;
  return F_TABLE[i]! + (F_TABLE[i + 1]! - F_TABLE[i]!) * w;
}

/** Converts a packed RGB raster (3 bytes per pixel) to packed Lab (3 floats per pixel). */
export function rasterToLab(data: Uint8Array, pixels: number): Float32Array {
  const out = new Float32Array(pixels * 3);
  const lin = SRGB_TO_LINEAR;
  for (let j = 0; j < pixels * 3; j += 3) {
    const r = lin[data[j]!]!;
    const g = lin[data[j + 1]!]!;
    const b = lin[data[j + 2]!]!;
    const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / XN;
    const y = 0.2126729 * r + 0.7151522 * g + 0.072175 * b;
    const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / ZN;
    const fx = fFast(x);
    const fy = fFast(y);
    const fz = fFast(z);
    out[j] = 116 * fy - 16;
    out[j + 1] = 500 * (fx - fy);
    out[j + 2] = 200 * (fy - fz);
  }
  return out;
}

/** CIE76 colour difference (Euclidean distance in Lab). */
export function deltaE76(p: Lab, q: Lab): number {
  const dl = p[0] - q[0];
  const da = p[1] - q[1];
  const db = p[2] - q[2];
  return Math.sqrt(dl * dl + da * da + db * db);
}

/** Lab chroma C*ab. */
export function chroma(lab: Lab): number {
  return Math.hypot(lab[1], lab[2]);
}

/** Lab hue angle h_ab in degrees, 0..360. */
export function hueDeg(lab: Lab): number {
  const h = (Math.atan2(lab[2], lab[1]) * 180) / Math.PI;
  return h < 0 ? h + 360 : h;
}

const DEG = Math.PI / 180;

/** CIEDE2000 colour difference (kL = kC = kH = 1). */
export function deltaE2000(p: Lab, q: Lab): number {
  const [L1, a1, b1] = p;
  const [L2, a2, b2] = q;
  const C1 = Math.hypot(a1, b1);
  const C2 = Math.hypot(a2, b2);
  const Cm = (C1 + C2) / 2;
  const Cm7 = Math.pow(Cm, 7);
  const G = 0.5 * (1 - Math.sqrt(Cm7 / (Cm7 + Math.pow(25, 7))));
  const a1p = (1 + G) * a1;
  const a2p = (1 + G) * a2;
  const C1p = Math.hypot(a1p, b1);
  const C2p = Math.hypot(a2p, b2);
  const h1p = C1p === 0 ? 0 : ((Math.atan2(b1, a1p) / DEG) + 360) % 360;
  const h2p = C2p === 0 ? 0 : ((Math.atan2(b2, a2p) / DEG) + 360) % 360;
  const dLp = L2 - L1;
  const dCp = C2p - C1p;
  let dhp = 0;
  if (C1p * C2p !== 0) {
    dhp = h2p - h1p;
    if (dhp > 180) dhp -= 360;
    else if (dhp < -180) dhp += 360;
  }
  const dHp = 2 * Math.sqrt(C1p * C2p) * Math.sin((dhp / 2) * DEG);
  const Lpm = (L1 + L2) / 2;
  const Cpm = (C1p + C2p) / 2;
  let hpm = h1p + h2p;
  if (C1p * C2p !== 0) {
    if (Math.abs(h1p - h2p) > 180) hpm = h1p + h2p < 360 ? (h1p + h2p + 360) / 2 : (h1p + h2p - 360) / 2;
    else hpm = (h1p + h2p) / 2;
  }
  const T =
    1 -
    0.17 * Math.cos((hpm - 30) * DEG) +
    0.24 * Math.cos(2 * hpm * DEG) +
    0.32 * Math.cos((3 * hpm + 6) * DEG) -
    0.2 * Math.cos((4 * hpm - 63) * DEG);
  const dTheta = 30 * Math.exp(-Math.pow((hpm - 275) / 25, 2));
  const Cpm7 = Math.pow(Cpm, 7);
  const RC = 2 * Math.sqrt(Cpm7 / (Cpm7 + Math.pow(25, 7)));
  const Lm50 = (Lpm - 50) * (Lpm - 50);
  const SL = 1 + (0.015 * Lm50) / Math.sqrt(20 + Lm50);
  const SC = 1 + 0.045 * Cpm;
  const SH = 1 + 0.015 * Cpm * T;
  const RT = -Math.sin(2 * dTheta * DEG) * RC;
  const tL = dLp / SL;
  const tC = dCp / SC;
  const tH = dHp / SH;
  return Math.sqrt(tL * tL + tC * tC + tH * tH + RT * tC * tH);
}
