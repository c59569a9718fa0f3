// A finger signature on a canvas (pointer events: touch, pen and mouse alike), exported as a PNG that carries
// the short code of the findings hash it was given for, so the image itself says what was signed.
import { sha256Hex } from "./canon.js";

export class SignaturePad {
  constructor(canvas) {
    this.canvas = canvas;
    this.strokes = [];
    this.current = null;
    this.resize();
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", () => this.up());
    canvas.addEventListener("pointercancel", () => this.up());
  }

  resize() {
    const ratio = Math.max(1, self.devicePixelRatio || 1);
    const rect = this.canvas.getBoundingClientRect();
    this.canvas.width = Math.round(rect.width * ratio);
    this.canvas.height = Math.round(rect.height * ratio);
    this.ratio = ratio;
    this.redraw();
  }

  point(e) {
    const rect = this.canvas.getBoundingClientRect();
    return [(e.clientX - rect.left) * this.ratio, (e.clientY - rect.top) * this.ratio];
  }

  down(e) {
    e.preventDefault();
    this.canvas.setPointerCapture(e.pointerId);
    this.current = [this.point(e)];
    this.strokes.push(this.current);
    this.redraw();
  }

  move(e) {
    if (!this.current) return;
    e.preventDefault();
    this.current.push(this.point(e));
    this.redraw();
  }

  up() {
    if (this.current) this.canvas.dispatchEvent(new Event("change"));
    this.current = null;
  }

  clear() {
    this.strokes = [];
    this.redraw();
    this.canvas.dispatchEvent(new Event("change"));
  }

  get empty() {
    return !this.strokes.some((s) => s.length > 1);
  }

  draw(ctx, ratio) {
    ctx.lineWidth = 2.5 * ratio;
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";
    for (const stroke of this.strokes) {
      ctx.beginPath();
      stroke.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      if (stroke.length === 1) ctx.lineTo(stroke[0][0] + 0.1, stroke[0][1]);
      ctx.stroke();
    }
  }

  redraw() {
    const ctx = this.canvas.getContext("2d");
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.draw(ctx, this.ratio);
  }

  // PNG on white with the code and time along the bottom -> {blob, sha256, width, height, type, size}
  async export(codeLine) {
    const { width, height } = this.canvas;
    const out = document.createElement("canvas");
    const band = Math.round(22 * this.ratio);
    out.width = width;
    out.height = height + band;
    const ctx = out.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, out.width, out.height);
    this.draw(ctx, this.ratio);
    ctx.fillStyle = "#b3261e";
    ctx.font = `${Math.round(13 * this.ratio)}px sans-serif`;
    ctx.textBaseline = "middle";
    ctx.fillText(codeLine, 6 * this.ratio, height + band / 2, width - 12 * this.ratio);
    const blob = await new Promise((resolve, reject) =>
      out.toBlob((b) => (b ? resolve(b) : reject(new Error("签名保存失败"))), "image/png"));
    return { blob, sha256: await sha256Hex(blob), width: out.width, height: out.height, type: "image/png", size: blob.size,
      captured_at: new Date().toISOString() };
  }
}
