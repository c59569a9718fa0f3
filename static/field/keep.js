// Storage a browser may evict (iOS Safari after 7 days without use, any browser short of space): under the outbox
// bar, how long the oldest unsent item has waited, a strong warning after 24 hours, and 导出待同步数据 — a JSON file
// with the unsent records, their photos and signatures (base64) and the unsent 补充说明, which the inspector can
// upload later on any signed-in browser at /field/import (webapp/faces/field/importer.py), replayed like the outbox.
import * as db from "./db.js";
import { h, mount } from "./ui.js";
import { isAmendment, payload } from "./sync.js";
import { referencedMedia } from "./rules.js";

export const FORMAT = "spotcheck-field-outbox";
export const WARN_AFTER = 24 * 3600 * 1000;

export function oldestAge(queue, now = Date.now()) {
  const times = queue.map((d) => Date.parse(d.sync && d.sync.queued_at)).filter(Number.isFinite);
  return times.length ? Math.max(0, now - Math.min(...times)) : 0;
}

export function ageText(ms) {
  const minutes = Math.floor(ms / 60000);
  if (minutes < 1) return "不到 1 分钟";
  if (minutes < 60) return `${minutes} 分钟`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} 小时`;
  return `${Math.floor(hours / 24)} 天 ${hours % 24} 小时`;
}

async function base64(blob) {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

// The file's content: what waits in the outbox of `session`'s user (`queue`, from sync.js waiting()).
export async function exportData(session, queue) {
  const records = [];
  const amendments = [];
  for (const d of queue) {
    if (isAmendment(d)) {
      amendments.push({ record_id: d.record_id, client_uuid: d.client_uuid, client_id: d.client_id, text: d.text,
        queued_at: d.sync.queued_at });
      continue;
    }
    const media = [];
    for (const sha of referencedMedia(d)) {
      const item = await db.getMedia(d.record_id, sha);
      if (item) media.push({ sha256: sha, kind: item.kind, type: item.type, captured_at: item.captured_at || null,
        data: await base64(item.blob) });
    }
    records.push({ record_id: d.record_id, client_uuid: d.client_uuid, queued_at: d.sync.queued_at,
      payload: payload(d), media });
  }
  const { id, username, full_name } = session.user;
  return { format: FORMAT, version: 1, exported_at: new Date().toISOString(), user: { id, username, full_name },
    records, amendments };
}

export async function exportFile(session, queue) {
  const data = await exportData(session, queue);
  const blob = new Blob([JSON.stringify(data)], { type: "application/json" });
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, "");
  const a = h("a", { href: URL.createObjectURL(blob), download: `spotcheck-outbox-${session.user.username}-${stamp}.json` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60000);
  await db.setMeta("exported_at", data.exported_at);
  return data;
}

async function persisted() {
  try { return navigator.storage && navigator.storage.persisted ? await navigator.storage.persisted() : null; }
  catch { return null; }
}

// Draw the age line, the warning and the export button into `el` (under the outbox bar).
export async function drawKeep(el, session, queue, now = Date.now()) {
  if (!session || !queue.length) { mount(el); return; }
  const age = oldestAge(queue, now);
  const kept = await persisted();
  const exported = await db.getMeta("exported_at");
  const parts = [h("div.muted", { id: "outbox-age" }, `最早一条已等待 ${ageText(age)}`)];
  if (age >= WARN_AFTER) {
    parts.push(h("p.notice.error", { id: "outbox-stale", role: "alert" },
      `有记录已超过 24 小时未上传（最早一条 ${ageText(age)}）。`,
      kept ? "" : "本机未获持久保存授权，",
      "浏览器可能清除本机保存的记录：请尽快联网同步，或先点“导出待同步数据”把记录和照片保存为文件，之后可在任何已登录的浏览器中打开 /field/import 上传。"));
  }
  const button = h("button.small", { type: "button", id: "export-outbox" }, "导出待同步数据");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const data = await exportFile(session, queue);
      mount(note, `已导出 ${data.records.length} 份记录${data.amendments.length ? `、${data.amendments.length} 份补充说明` : ""}，请妥善保存文件。`);
    } catch (err) {
      mount(note, `导出失败：${err.message}`);
    } finally {
      button.disabled = false;
    }
  });
  const note = h("div.muted", { id: "export-note", role: "status" },
    exported ? `上次导出：${new Date(exported).toLocaleString("zh-CN", { hour12: false })}` : "");
  mount(el, ...parts, h("div.row-btns", {}, button), note);
}
