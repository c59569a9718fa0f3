// Arriving at the enterprise: the 扫码入企 link, checking the credit code by hand, and the in-app QR scanner.
import { h, mount, fmtTime } from "../ui.js";
import { localToday } from "../deadline.js";
import { state, link, back, notice, myTasks, load, editable, ensureDraft, edit, notFound } from "./common.js";

// ---------------------------------------------------------------- 到达签到
export async function checkIn(task, via) {
  const at = new Date().toISOString();
  const draft = await ensureDraft(task);
  if (draft && (draft.locked || draft.checkin)) return draft;
  const saved = await edit(task.record_id, (d) => {
    d.checkin = { at, via, lat: null, lng: null, accuracy: null };
    d.inspected_on = d.inspected_on || localToday();
  });
  if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(
      (pos) => edit(task.record_id, (d) => {
        if (d.checkin) Object.assign(d.checkin, { lat: pos.coords.latitude, lng: pos.coords.longitude, accuracy: pos.coords.accuracy });
      }),
      () => {}, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }
  return saved;
}

export async function arriveView(root, token) {
  const tasks = await myTasks();
  const task = tasks.find((t) => t.entity.checkin_token === token);
  if (!task) {
    return mount(root, h("h1", {}, "扫码入企"),
      notice(tasks.length ? "此二维码不属于您的检查任务。请核对企业，或在任务中手动核对统一社会信用代码签到。"
        : "本机还没有您的检查任务。请先联网登录并打开“我的任务”下载任务。", "error"),
      link("/field/", "我的任务"));
  }
  if (!editable(task)) return state.go(`/field/task/${task.record_id}`, true);
  const draft = await checkIn(task, "qr");
  state.flash = `已在 ${fmtTime(draft.checkin.at)} 签到：${task.entity.name}`;
  state.go(`/field/task/${task.record_id}/team`, true);
}

export async function checkinView(root, id) {
  const { task, draft } = await load(id);
  if (!task) return notFound(root);
  const input = h("input", { id: "uscc", autocomplete: "off", autocapitalize: "characters", maxlength: "18", inputmode: "text" });
  const msg = h("div");
  const form = h("form.card", {
    onsubmit: async (e) => {
      e.preventDefault();
      if (input.value.trim().toUpperCase() !== task.entity.uscc.toUpperCase()) {
        return mount(msg, notice("统一社会信用代码与该任务的企业不一致，请核对营业执照。", "error"));
      }
      await checkIn(task, "uscc");
      state.flash = `已签到：${task.entity.name}`;
      state.go(`/field/task/${task.record_id}/team`);
    },
  },
  h("label", { for: "uscc" }, "核对营业执照上的统一社会信用代码"), input, msg,
  h("button.primary", { type: "submit" }, "核对并签到"));
  mount(root, back(`/field/task/${task.record_id}`), h("h1", {}, "到达签到"),
    draft && draft.checkin ? notice(`已于 ${fmtTime(draft.checkin.at)} 签到${draft.checkin.lat != null ? `（位置精度 ${Math.round(draft.checkin.accuracy)} 米）` : ""}。`, "ok") : null,
    // The in-app scanner exists only where the browser can decode QR codes: name it only then.
    h("p.muted", { id: "checkin-how" }, "BarcodeDetector" in self
      ? "请用手机相机或下面的“扫码入企”按钮扫描企业张贴的“扫码入企”二维码，或在下方手动核对统一社会信用代码。"
      : "请用手机相机扫描企业张贴的“扫码入企”二维码，或在下方手动核对统一社会信用代码。"),
    "BarcodeDetector" in self ? link("/field/scan", "扫码入企", "button.primary") : null,
    draft && draft.checkin ? link(`/field/task/${task.record_id}/team`, "下一步：检查组确认", "button.primary") : form);
}

export async function scanView(root) {
  const video = h("video.scan", { playsinline: true, muted: true, autoplay: true });
  const msg = h("div");
  mount(root, back("/field/", "我的任务"), h("h1", {}, "扫码入企"), video, msg,
    h("p.muted", {}, "将企业的二维码对准取景框。"));
  let stream;
  try {
    const detector = new BarcodeDetector({ formats: ["qr_code"] });
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    video.srcObject = stream;
    await video.play();
    while (state.view === root.dataset.viewId && stream.active) {
      const codes = await detector.detect(video).catch(() => []);
      const hit = codes.map((c) => c.rawValue).find((v) => /\/checkin\/[\w-]+/.test(v));
      if (hit) {
        const token = hit.match(/\/checkin\/([\w-]+)/)[1];
        stream.getTracks().forEach((t) => t.stop());
        return state.go(`/checkin/${token}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch {
    mount(msg, notice("无法打开相机。请允许使用相机，或用手机相机扫码，或在任务中手动核对信用代码签到。", "error"));
  } finally {
    if (stream) stream.getTracks().forEach((t) => t.stop());
  }
}
