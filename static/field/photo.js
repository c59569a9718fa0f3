// Camera photos, processed on the phone before anything is stored: upright (EXIF orientation applied), at most
// 1600 px on the long side, JPEG within 300 KB (the quality adapted to the budget), stamped with the time and the
// enterprise, hashed with SHA-256.
import { sha256Hex } from "./canon.js";

export const MAX_SIDE = 1600;
export const MAX_BYTES = 300 * 1024;

async function decode(file) {
  if (self.createImageBitmap) {
    try { return await createImageBitmap(file, { imageOrientation: "from-image" }); } catch { /* fall back */ }
  }
  // <img> applies EXIF orientation by default (CSS image-orientation: from-image).
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return img;
  } catch {
    throw new Error("无法读取这张图片，请重新拍摄。");
  } finally {
    URL.revokeObjectURL(url);
  }
}

const toBlob = (canvas, type, quality) =>
  new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("图片编码失败"))), type, quality));

export function stampTime(date = new Date()) {
  const p = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`;
}

function stamp(ctx, w, h, lines) {
  const size = Math.max(14, Math.round(Math.min(w, h) * 0.028));
  const pad = Math.round(size * 0.5);
  const barH = lines.length * size * 1.35 + pad * 2;
  ctx.fillStyle = "rgba(0,0,0,0.55)";
  ctx.fillRect(0, h - barH, w, barH);
  ctx.fillStyle = "#fff";
  ctx.font = `600 ${size}px "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif`;
  ctx.textBaseline = "top";
  lines.forEach((line, i) => ctx.fillText(line, pad, h - barH + pad + i * size * 1.35, w - pad * 2));
}

// The best JPEG quality under the byte budget: a plain photo keeps 0.9, a detailed one (foliage, fabric, a
// noisy dim room) steps down, by halving the interval, to the highest quality that fits (five encodes at most).
const Q_HIGH = 0.9;
const Q_LOW = 0.4;
async function fitBudget(canvas, maxBytes) {
  let best = await toBlob(canvas, "image/jpeg", Q_HIGH);
  if (best.size <= maxBytes) return best;
  let lo = Q_LOW, hi = Q_HIGH;
  const floor = await toBlob(canvas, "image/jpeg", lo);
  if (floor.size > maxBytes) return floor;            // never seen at 1600 px; the server's own limit still holds
  best = floor;
  for (let step = 0; step < 4; step++) {
    const q = (lo + hi) / 2;
    const blob = await toBlob(canvas, "image/jpeg", q);
    if (blob.size <= maxBytes) { best = blob; lo = q; } else hi = q;
  }
  return best;
}

// -> {blob, sha256, width, height, type, size, captured_at}
export async function processPhoto(file, { enterprise = "", maxSide = MAX_SIDE, maxBytes = MAX_BYTES } = {}) {
  if (!file || !/^image\//.test(file.type || "image/")) throw new Error("请选择照片文件。");
  const source = await decode(file);
  const sw = source.width, sh = source.height;
  const scale = Math.min(1, maxSide / Math.max(sw, sh));
  const width = Math.round(sw * scale), height = Math.round(sh * scale);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(source, 0, 0, width, height);
  if (source.close) source.close();
  const now = new Date();
  stamp(ctx, width, height, [stampTime(now), enterprise].filter(Boolean));
  const blob = await fitBudget(canvas, maxBytes);
  canvas.width = canvas.height = 0;  // free the pixels at once on small phones
  return { blob, sha256: await sha256Hex(blob), width, height, type: "image/jpeg", size: blob.size, captured_at: now.toISOString() };
}
