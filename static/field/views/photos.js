// Photos on the checklist and the signing page: thumbnails from IndexedDB and the camera button.
import * as db from "../db.js";
import { h } from "../ui.js";
import { processPhoto } from "../photo.js";

// ---------------------------------------------------------------- 照片
export function thumbs(recordId, shas, onRemove) {
  const wrap = h("div.thumbs");
  Promise.all(shas.map((sha) => db.getMedia(recordId, sha))).then((items) => {
    wrap.replaceChildren(...items.filter(Boolean).map((m) => {
      const url = URL.createObjectURL(m.blob);
      const img = h("img", { src: url, alt: "现场照片", onload: () => URL.revokeObjectURL(url) });
      return h("figure", {}, img, onRemove ? h("button.small.remove", { type: "button", "aria-label": "删除照片", onclick: () => onRemove(m.sha256) }, "×") : null);
    }));
  });
  return wrap;
}

// A camera button: each chosen photo is processed, stored as a Blob with its hash, then `onStored(sha)`.
export function photoInput(task, kind, label, onStored, disabled) {
  const status = h("span.muted.photo-status", { role: "status" });
  const input = h("input.visually-hidden", { type: "file", accept: "image/*", capture: "environment", multiple: ["photo", "evidence", "amendment"].includes(kind), disabled });
  input.addEventListener("change", async () => {
    const files = [...input.files];
    input.value = "";
    for (const file of files) {
      status.textContent = "正在处理照片…";
      try {
        const p = await processPhoto(file, { enterprise: task.entity.name });
        await db.putMedia(task.record_id, { ...p, kind });
        status.textContent = "";
        await onStored(p.sha256);
      } catch (err) {
        status.textContent = err.message || "照片处理失败，请重拍。";
      }
    }
  });
  return h("div.photo-row", {}, h("label.button.small.camera", { "aria-disabled": disabled ? "true" : null }, input, label), status);
}
