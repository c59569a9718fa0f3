// The pages of the field app. Each step writes to IndexedDB the moment it is entered (db.updateDraft).
import * as db from "./db.js";
import { h, mount, fmtTime } from "./ui.js";
import { findingsHash, shortCode } from "./canon.js";
import { deadlineText, localToday } from "./deadline.js";
import { processPhoto, stampTime } from "./photo.js";
import { SignaturePad } from "./signature.js";
import {
  NO_PROBLEM, validateCodes, anyFailed, buildFindings, itemState, pointState, teamProblems, missingBeforeSigning,
} from "./rules.js";
import { flush, requestBackgroundSync, isAmendment, isHeld, waitingAmendment, withdrawAmendment } from "./sync.js";

export const state = { session: null, catalog: null, cal: null, view: null, go: null };

const SERVER_STATUS = { dispatched: "待检查", submitted: "已提交", returned: "已退回", approved: "已通过", published: "已公示" };
const SYNC_STATUS = {
  queued: "待同步", retry: "等待重试", auth: "待重新登录", rejected: "被拒收", conflict: "冲突", synced: "已同步",
};

// A returned record shows the return (or its amendment waiting to go) before anything about the local draft.
export function statusOf(task, draft, amendments = []) {
  if (task.status === "returned") return amendments.some(waitingAmendment) ? "补充说明待同步" : "待补充说明";
  if (amendments.some((a) => a.sync.state === "synced")) return SERVER_STATUS[task.status] || task.status;
  if (!draft) return SERVER_STATUS[task.status] || task.status;
  if (!draft.locked) return "填写中";
  return SYNC_STATUS[draft.sync.state] || "待同步";
}

const returnedBadge = (task) => (task.status === "returned" ? h("span.badge.returned", {}, "退回") : null);

async function myAmendments(recordId) {
  const uid = state.session.user.id;
  const list = recordId == null ? await db.all("amendments") : await db.amendmentsOf(recordId);
  return list.filter((a) => a.user_id === uid && isAmendment(a)).sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
}

const link = (href, text, cls = "button") => h(`a.${cls}`, { href, "data-nav": "" }, text);
const back = (href, text = "返回") => h("a.back", { href, "data-nav": "" }, "‹ ", text);
const notice = (text, kind = "info") => h(`p.notice.${kind}`, { role: kind === "error" ? "alert" : "status" }, text);

async function myTasks() {
  const uid = state.session && state.session.user.id;
  return (await db.all("tasks")).filter((t) => t.user_id === uid);
}

async function load(recordId) {
  const id = Number(recordId);
  const [task, draft] = await Promise.all([db.get("tasks", id), db.get("drafts", id)]);
  if (!task || task.user_id !== state.session.user.id) return {};
  return { task, draft };
}

function newDraft(task) {
  return {
    record_id: task.record_id, user_id: state.session.user.id,
    client_uuid: crypto.randomUUID(), created_at: new Date().toISOString(),
    checkin: null, inspected_on: null,
    team: { present: [], uniform: false, credentials_shown: false },
    items: {}, result_codes: [], remarks: "",
    signature_sha: null, seal_sha: null, refusal: null, refusal_draft: { note: "", confirmed_by: [], evidence: [] },
    locked: false, findings: null, findings_hash: null, sync: { state: "draft" },
  };
}

const editable = (task) => task.status === "dispatched";

export function ensureDraft(task) {
  return db.updateDraft(task.record_id, (d) => (d ? undefined : newDraft(task)));
}

// A change to an unlocked draft: the mutation never touches a signed record.
function edit(recordId, mutate) {
  return db.updateDraft(recordId, (d) => {
    if (!d || d.locked) return undefined;
    mutate(d);
    return d;
  });
}

function deadlineLine(task, draft) {
  const line = deadlineText({
    cal: state.cal, inspectedOn: draft && draft.inspected_on, entryDays: task.plan.entry_days,
    server: (draft && draft.sync && draft.sync.server) || (task.sync_due ? { sync_due: task.sync_due, late: task.late } : null),
  });
  if (line) return h(`p.deadline${line.late ? ".late" : ""}`, {}, line.text);
  return h("p.deadline.muted", {}, `检查期间 ${task.plan.window_start} 至 ${task.plan.window_end}；检查后 ${task.plan.entry_days} 个工作日内同步`);
}

// ---------------------------------------------------------------- 我的任务
export async function tasksView(root) {
  const tasks = await myTasks();
  const drafts = new Map((await db.all("drafts")).map((d) => [d.record_id, d]));
  const amended = new Map();
  for (const a of await myAmendments()) amended.set(a.record_id, [...(amended.get(a.record_id) || []), a]);
  const list = h("ul.tasks");
  const search = h("input", { type: "search", placeholder: "搜索企业名称、信用代码或地址", "aria-label": "搜索任务" });
  const empty = h("p.muted", { hidden: true }, "没有匹配的任务。");
  // What needs the inspector first: problems with sending, then waiting, in progress, to do, and done last.
  const rank = (t) => {
    const d = drafts.get(t.record_id);
    if (t.status === "returned") return 0;
    if (d && d.locked) return { conflict: 0, rejected: 0, auth: 0, retry: 1, queued: 1 }[d.sync.state] ?? 4;
    if (d) return 2;
    return t.status === "dispatched" ? 3 : t.status === "returned" ? 0 : 4;
  };
  const cards = tasks.sort((a, b) => rank(a) - rank(b) || a.entity.name.localeCompare(b.entity.name, "zh")).map((t) => {
    const d = drafts.get(t.record_id);
    const card = h("li.task", { dataset: { search: `${t.entity.name} ${t.entity.uscc} ${t.entity.address || ""}`.toLowerCase() } },
      h("a.task-link", { href: `/field/task/${t.record_id}`, "data-nav": "" },
        h("strong", {}, t.entity.name),
        h("span.muted", {}, t.entity.address || ""),
        h("span.muted", {}, `${t.plan.doc_number} · ${t.departments.map((x) => x.name).join("、")}`),
        h("span.muted", {}, "检查组：", t.team.map((m) => m.name).join("、")),
        h("span.badges", {}, returnedBadge(t), h("span.badge", {}, statusOf(t, d, amended.get(t.record_id) || []))),
        deadlineLine(t, d)));
    return card;
  });
  search.addEventListener("input", () => {
    const q = search.value.trim().toLowerCase();
    let shown = 0;
    for (const c of cards) { c.hidden = !!q && !c.dataset.search.includes(q); shown += !c.hidden; }
    empty.hidden = shown > 0;
  });
  list.append(...cards);
  const scan = h("div.row-btns", {},
    "BarcodeDetector" in self ? link("/field/scan", "扫码入企", "button.primary") : null,
    link("/field/credential", "亮证（出示执法证件二维码）", "button"));
  mount(root,
    h("h1", {}, "我的任务"),
    state.session ? h("p.muted", {}, `${state.session.user.full_name}（${state.session.user.department || ""} · 证号 ${state.session.user.certificate_no || "—"}）`) : null,
    scan,
    tasks.length ? h("p.muted", {}, `共 ${tasks.length} 项任务`) : null,
    tasks.length ? search : notice(navigator.onLine ? "暂无派发给您的检查任务。" : "本机还没有下载任务，请联网后打开。"),
    list, empty);
}

// ---------------------------------------------------------------- 一个任务
export async function taskView(root, id) {
  const { task, draft } = await load(id);
  if (!task) return notFound(root);
  const steps = [
    ["checkin", "到达签到", draft && draft.checkin ? `已签到 ${fmtTime(draft.checkin.at)}` : "扫码入企或核对信用代码"],
    ["team", "检查组确认", draft && !teamProblems(draft, task).length ? "已确认" : "至少两人在场，出示证件"],
    ["checklist", "检查内容", "逐项填写结果、说明和照片"],
    ["sign", "签字确认", draft && draft.locked ? (draft.refusal ? "已记录拒签" : "已签字") : "法定代表人签字或记录拒签"],
  ];
  const fillable = editable(task) || (draft && draft.locked);
  const amendments = await myAmendments(task.record_id);
  mount(root,
    back("/field/", "我的任务"),
    returnedBadge(task),
    h("h1", {}, task.entity.name),
    state.takeFlash(),
    h("dl.facts", {},
      h("dt", {}, "信用代码"), h("dd", {}, task.entity.uscc),
      h("dt", {}, "地址"), h("dd", {}, task.entity.address || "—"),
      h("dt", {}, "法定代表人"), h("dd", {}, task.entity.legal_rep || "—"),
      h("dt", {}, "抽查方案"), h("dd", {}, `${task.plan.doc_number} ${task.plan.title}`),
      h("dt", {}, "状态"), h("dd", { id: "task-status" }, statusOf(task, draft, amendments))),
    deadlineLine(task, draft),
    returnsSection(task, amendments),
    fillable
      ? h("ol.steps", {}, steps.map(([path, title, hint]) =>
        h("li", {}, h("a.step", { href: `/field/task/${task.record_id}/${path}`, "data-nav": "" }, h("strong", {}, title), h("span.muted", {}, hint)))))
      : notice("此记录已在服务器上，不在本机填写。"),
    h("h2", {}, "检查组"),
    h("ul.plain", {}, task.team.map((m) => h("li", {}, `${m.name} · ${m.department} · 证号 ${m.certificate_no}${m.is_leader ? " · 组长" : ""}${m.kind === "expert" ? " · 专业人员" : ""}`))));
}

// ---------------------------------------------------------------- 审核退回与补充说明
// The reviewer's comments, the team's amendments (sent or waiting), and while the record is returned a 补充说明
// form. Each keystroke is saved in IndexedDB under a client_id made once; 提交 queues it in the outbox.
// The signed findings are never touched: an amendment is a separate text beside them.
const AMEND_MAX = 4000;

function returnsSection(task, amendments) {
  const returns = task.returns || [];
  if (!returns.length && !amendments.length && !(task.amendments || []).length) return null;
  const returned = task.status === "returned";
  const pending = amendments.filter(waitingAmendment);
  const sent = amendments.filter((a) => a.sync.state === "synced");
  const open = amendments.find((a) => a.sync.state === "draft");
  const mine = new Set(amendments.map((a) => a.client_id));
  const team = (task.amendments || []).filter((a) => !mine.has(a.client_id));  // teammates' phones
  return h(`section.card.returns${returned ? ".open" : ""}`, { "aria-labelledby": "returns-title" },
    h("h2", { id: "returns-title" }, returned ? "审核退回，请补充说明" : "审核意见"),
    h("ol.plain.return-list", {}, returns.map((r) => h("li.return", {},
      h("div.muted", {}, `${r.by} · ${fmtTime(r.at)} 退回`), h("p.comment", {}, r.comment)))),
    sent.map((a) => h("div.amendment.sent", {},
      h("p.notice.ok", { role: "status" }, `已提交补充说明 · ${fmtTime(a.sync.server.at || a.sync.synced_at)}`
        + ` · 服务器状态：${SERVER_STATUS[a.sync.server.status] || a.sync.server.status}`),
      h("p.amend-text", {}, a.text))),
    team.map((a) => h("div.amendment.team", {},
      h("p.notice.ok", { role: "status" }, `${a.by} 已提交补充说明 · ${fmtTime(a.at)}`),
      h("p.amend-text", {}, a.text))),
    pending.map((a) => h("div.amendment.waiting", {},
      h("p.notice.warn", { role: "status" }, a.sync.state === "queued"
        ? `补充说明已保存在本机，等待同步${navigator.onLine ? "" : "（当前离线，联网后自动发送）"}`
        : `补充说明未能提交：${a.sync.error || "等待重试"}`),
      h("p.amend-text", {}, a.text),
      isHeld(a) ? h("button", { type: "button", onclick: async () => {
        if (!confirm("不再提交这条补充说明？它仍保留在本机，只是不再等待同步。")) return;
        await withdrawAmendment(a.client_id);
        state.go(location.pathname, true);
      } }, "不再提交（保留在本机）") : null)),
    amendments.filter((a) => a.sync.state === "withdrawn").map((a) => h("div.amendment.withdrawn", {},
      h("p.muted", {}, `未提交：${a.sync.error || "服务器未接收"}，已由本人撤下 · ${fmtTime(a.sync.withdrawn_at)}`),
      h("p.amend-text", {}, a.text))),
    returned && !pending.length ? amendForm(task, open) : null,
    returned ? h("p.muted", {}, "签字确认的检查内容不会改变；补充说明与原记录一并提交审核。") : null);
}

function amendForm(task, open) {
  let clientId = open ? open.client_id : null;
  const msg = h("div");
  const count = h("span.muted", {}, `${(open ? open.text : "").length}/${AMEND_MAX}`);
  const save = (text) => {
    clientId ||= crypto.randomUUID();
    return db.update("amendments", clientId, (a) => (a ? (a.sync.state === "draft" ? { ...a, text } : undefined) : {
      kind: "amendment", client_id: clientId, record_id: task.record_id, client_uuid: task.client_uuid,
      user_id: state.session.user.id, text, created_at: new Date().toISOString(), sync: { state: "draft" },
    }));
  };
  const area = h("textarea", { id: "amend-text", rows: 5, maxlength: AMEND_MAX, value: open ? open.text : "",
    placeholder: "针对审核意见说明情况，如整改结果、补充的事实等",
    oninput: (e) => { count.textContent = `${e.target.value.length}/${AMEND_MAX}`; save(e.target.value); } });
  const submit = async () => {
    const text = area.value.trim();
    if (!text) return mount(msg, notice("请填写补充说明。", "error"));
    if (text.length > AMEND_MAX) return mount(msg, notice(`补充说明不能超过 ${AMEND_MAX} 字。`, "error"));
    if (!task.client_uuid) return mount(msg, notice("服务器上还没有这份记录的编号，请联网刷新任务后再提交。", "error"));
    await save(area.value);
    await db.settled();
    const now = new Date().toISOString();
    await db.update("amendments", clientId, (a) => (a && a.sync.state === "draft"
      ? { ...a, text, sync: { state: "queued", queued_at: now, attempts: 0 } } : undefined));
    requestBackgroundSync();
    flush();
    state.flash = "补充说明已保存在本机并加入待同步队列。";
    state.go(location.pathname, true);
  };
  return h("div.amend-form", {},
    h("label", { for: "amend-text" }, "补充说明"), area, count, msg,
    h("button.primary", { type: "button", onclick: submit }, "提交补充说明"));
}

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
    h("p.muted", {}, "请扫描企业张贴的“扫码入企”二维码（用手机相机或下方按钮），或手动核对信用代码。"),
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

// ---------------------------------------------------------------- 检查组
export async function teamView(root, id) {
  const { task, draft: existing } = await load(id);
  if (!task) return notFound(root);
  if (!existing && !editable(task)) return state.go(`/field/task/${task.record_id}`, true);
  const draft = await ensureDraft(task);
  const locked = draft.locked;
  const problems = h("div");
  const show = (d) => mount(problems, teamProblems(d, task).map((p) => notice(p, "warn")));
  const present = new Set(draft.team.present);
  const box = (checked, onchange, text, extra = {}) =>
    h("label.check", {}, h("input", { type: "checkbox", checked, disabled: locked, onchange, ...extra }), text);
  mount(root, back(`/field/task/${task.record_id}`), h("h1", {}, "检查组确认"),
    state.takeFlash(),
    h("fieldset", {}, h("legend", {}, "在场的检查人员（至少两名）"),
      task.team.map((m) => box(present.has(m.certificate_no), async (e) => {
        show(await edit(task.record_id, (d) => {
          const s = new Set(d.team.present);
          if (e.target.checked) s.add(m.certificate_no); else s.delete(m.certificate_no);
          d.team.present = [...s];
        }));
      }, h("span", {}, h("strong", {}, m.name), ` ${m.department} · 执法证号 ${m.certificate_no}${m.kind === "expert" ? " · 专业人员" : ""}`),
      { dataset: { cert: m.certificate_no } }))),
    h("fieldset", {}, h("legend", {}, "亮证与着装"),
      box(draft.team.credentials_shown, async (e) => show(await edit(task.record_id, (d) => { d.team.credentials_shown = e.target.checked; })),
        "已向当事人出示执法证件", { name: "credentials" }),
      box(draft.team.uniform, async (e) => show(await edit(task.record_id, (d) => { d.team.uniform = e.target.checked; })),
        "检查人员已按规定着装", { name: "uniform" })),
    h("p", {}, link("/field/credential", "出示我的执法证件二维码", "button.small")),
    problems,
    link(`/field/task/${task.record_id}/checklist`, "下一步：检查内容", "button.primary"));
  show(draft);
}

// ---------------------------------------------------------------- 照片
function thumbs(recordId, shas, onRemove) {
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
function photoInput(task, kind, label, onStored, disabled) {
  const status = h("span.muted.photo-status", { role: "status" });
  const input = h("input.visually-hidden", { type: "file", accept: "image/*", capture: "environment", multiple: kind === "photo" || kind === "evidence", disabled });
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

// ---------------------------------------------------------------- 检查内容
// JSON objects arrive with sorted keys: show 未发现问题, then the problems, their dispositions, then the rest.
function categoryOrder(catalog) {
  const first = [NO_PROBLEM, ...(catalog.problems || []), ...(catalog.dispositions || [])];
  const codes = Object.keys(catalog.result_categories);
  return [...first.filter((c) => codes.includes(c)), ...codes.filter((c) => !first.includes(c))];
}

export async function checklistView(root, id) {
  const { task, draft: existing } = await load(id);
  if (!task) return notFound(root);
  if (!existing && !editable(task)) return state.go(`/field/task/${task.record_id}`, true);
  const draft = await ensureDraft(task);
  const locked = draft.locked;
  const catalog = state.catalog;
  const codesMsg = h("div");
  const showCodes = async () => {
    const d = await db.get("drafts", task.record_id);
    mount(codesMsg, validateCodes(d.result_codes, anyFailed(task, d), catalog).map((m) => notice(m, "warn")));
  };
  const point = (item, i, text) => {
    const p = pointState(draft, item, i);
    const setPoint = (fn) => edit(task.record_id, (d) => {
      const it = (d.items[item.plan_item_id] ||= { method: null, points: [] });
      it.points[i] = it.points[i] || {};
      fn(it.points[i]);
      for (let k = 0; k < it.points.length; k++) it.points[k] ||= {};
    });
    const name = `p-${item.plan_item_id}-${i}`;
    const photos = h("div");
    const drawPhotos = (shas) => mount(photos, thumbs(task.record_id, shas, locked ? null : async (sha) => {
      const d = await setPoint((pt) => { pt.photos = (pt.photos || []).filter((s) => s !== sha); });
      drawPhotos(pointState(d, item, i).photos || []);
    }));
    drawPhotos(p.photos || []);
    return h("li.point", { dataset: { point: name } },
      h("p.point-text", {}, text),
      h("div.seg", { role: "radiogroup", "aria-label": text },
        ["pass", "fail", "na"].filter((c) => c in catalog.item_results).map((code) => [code, catalog.item_results[code]]).map(([code, label]) => h("label", {},
          h("input", { type: "radio", name, value: code, checked: p.result === code, disabled: locked,
            onchange: async () => { await setPoint((pt) => { pt.result = code; }); showCodes(); } }),
          h("span", {}, label)))),
      h("textarea", { rows: 2, placeholder: "情况说明（选“不符合”时必填）", "aria-label": `${text} 情况说明`, value: p.note || "", disabled: locked,
        oninput: (e) => setPoint((pt) => { pt.note = e.target.value; }) }),
      photoInput(task, "photo", "拍照", async (sha) => {
        const d = await setPoint((pt) => { pt.photos = [...new Set([...(pt.photos || []), sha])]; });
        drawPhotos(pointState(d, item, i).photos || []);
      }, locked),
      photos);
  };
  const item = (it) => {
    const st = itemState(draft, it);
    return h("section.item.card", { dataset: { item: it.plan_item_id } },
      h("h3", {}, it.title),
      h("label", { for: `m-${it.plan_item_id}` }, "检查方式"),
      h("select", { id: `m-${it.plan_item_id}`, disabled: locked,
        onchange: (e) => edit(task.record_id, (d) => { (d.items[it.plan_item_id] ||= { method: null, points: [] }).method = e.target.value || null; }) },
      h("option", { value: "" }, "请选择"),
      it.methods.map((m) => h("option", { value: m, selected: st.method === m }, catalog.methods[m] || m))),
      h("ol.points", {}, it.check_points.map((text, i) => point(it, i, text))),
      locked ? null : h("button.small", { type: "button", onclick: async (e) => {
        // Only the points still open: an answer already given is never overwritten.
        const section = e.target.closest("section.item");
        for (const input of section.querySelectorAll("li.point")) {
          if (!input.querySelector("input:checked")) input.querySelector('input[value="pass"]').click();
        }
      } }, "其余要点均为符合"));
  };
  const codes = new Set(draft.result_codes);
  const codeBox = (code, label) => h("label.check", {},
    h("input", { type: "checkbox", value: code, checked: codes.has(code), disabled: locked,
      onchange: async (e) => {
        await edit(task.record_id, (d) => {
          const s = new Set(d.result_codes);
          if (e.target.checked) s.add(code); else s.delete(code);
          d.result_codes = [...s];
        });
        showCodes();
      } }), label);
  mount(root, back(`/field/task/${task.record_id}`), h("h1", {}, "检查内容"),
    locked ? notice("已签字确认，检查内容已锁定，不能再修改。", "ok") : null,
    task.departments.map((d) => h("section.dept", {}, h("h2", {}, d.name), d.items.map(item))),
    h("section.card", {}, h("h2", {}, "检查结果"),
      h("p.muted", {}, "“未发现问题”不能与其他结果同时选择；发现问题的，须选择处置方式。"),
      h("fieldset.codes", {}, h("legend", {}, "结果类别"),
        categoryOrder(catalog).map((c) => codeBox(c, catalog.result_categories[c]))),
      codesMsg,
      h("label", { for: "remarks" }, "备注"),
      h("textarea", { id: "remarks", rows: 3, value: draft.remarks || "", disabled: locked,
        oninput: (e) => edit(task.record_id, (d) => { d.remarks = e.target.value; }) })),
    link(`/field/task/${task.record_id}/sign`, locked ? "查看签字确认" : "下一步：签字确认", "button.primary"));
  if (!locked) showCodes();
}

// ---------------------------------------------------------------- 签字
function summary(task, draft, findings) {
  const teamNames = task.team.filter((m) => findings.team.present.includes(m.certificate_no)).map((m) => `${m.name}（${m.certificate_no}）`);
  const byId = new Map(task.departments.flatMap((d) => d.items).map((i) => [i.plan_item_id, i]));
  const names = new Map(task.departments.map((d) => [d.department_id, d.name]));
  const count = (points, r) => points.filter((p) => p.result === r).length;
  return h("section.card.summary", {},
    h("h2", {}, "检查情况（只读）"),
    h("p", {}, `${task.entity.name} · 检查日期 ${draft.inspected_on || "—"}`),
    h("p", {}, "检查人员：", teamNames.join("、")),
    findings.departments.map((d) => {
      const points = d.items.flatMap((it) => it.points);
      return h("div.sum-dept", {},
        h("strong", {}, names.get(d.department_id)),
        h("div", {}, `${d.items.length} 个事项：${count(points, "pass")} 个要点符合，${count(points, "fail")} 个不符合，${count(points, "na")} 个不涉及`),
        d.items.flatMap((it) => it.points.filter((p) => p.result === "fail").map((p) =>
          h("div.fail", {}, `不符合 · ${byId.get(it.plan_item_id).title}：${p.text}${p.note ? `（${p.note}）` : ""}`))));
    }),
    h("details", {}, h("summary", {}, "逐项明细"),
      findings.departments.flatMap((d) => d.items).map((it) => h("div.sum-item", {},
        h("strong", {}, byId.get(it.plan_item_id).title), h("span.muted", {}, ` ${state.catalog.methods[it.method] || ""}`),
        h("div", {}, `${count(it.points, "pass")} 符合，${count(it.points, "fail")} 不符合，${count(it.points, "na")} 不涉及`)))),
    h("p", {}, "检查结果：", h("strong", {}, findings.result_codes.map((c) => state.catalog.result_categories[c] || c).join("、"))),
    findings.remarks ? h("p", {}, "备注：", findings.remarks) : null);
}

export async function signView(root, id) {
  const { task, draft: existing } = await load(id);
  if (!task) return notFound(root);
  if (!existing && !editable(task)) return state.go(`/field/task/${task.record_id}`, true);
  const draft = await ensureDraft(task);
  const top = [back(`/field/task/${task.record_id}`), h("h1", {}, "签字确认")];
  if (draft.locked) {
    return mount(root, ...top, state.takeFlash(),
      notice(draft.refusal ? "已记录拒绝签字，内容已锁定。" : "已签字，内容已锁定。", "ok"),
      deadlineLine(task, draft),
      h("p.code", {}, "内容校验码 ", h("strong", {}, shortCode(draft.findings_hash))),
      summary(task, draft, draft.findings),
      draft.refusal ? h("p", {}, "拒签情况：", draft.refusal.note) : null,
      link(`/field/task/${task.record_id}`, "返回任务", "button"));
  }
  const missing = missingBeforeSigning(task, draft, state.catalog);
  if (missing.length) {
    return mount(root, ...top, notice("以下内容尚未完成，完成后才能签字：", "warn"),
      h("ul.missing", {}, missing.map((m) => h("li", {}, m))),
      link(`/field/task/${task.record_id}/checklist`, "返回检查内容", "button.primary"));
  }
  const findings = buildFindings(task, draft);
  const hash = await findingsHash(findings, findings.result_codes);
  const code = shortCode(hash);
  const msg = h("div");
  const canvas = h("canvas.sign-pad", { "aria-label": "签名区" });
  const signBtn = h("button.primary", { type: "button", disabled: true }, "确认签字并提交");
  const seal = h("div");
  const drawSeal = (sha) => mount(seal, sha ? thumbs(task.record_id, [sha]) : null);
  drawSeal(draft.seal_sha);

  // Lock: recompute the hash from what is stored now; it must be the one the representative saw.
  const lock = async (extra) => {
    await db.settled();
    const d = await db.get("drafts", task.record_id);
    const f = buildFindings(task, d);
    const again = await findingsHash(f, f.result_codes);
    if (again !== hash) { state.go(location.pathname, true); return false; }
    const now = new Date().toISOString();
    await db.updateDraft(task.record_id, (x) => (x.locked ? undefined : {
      ...x, ...extra, findings: f, findings_hash: hash, locked: true, signed_at: now,
      sync: { state: "queued", queued_at: now, attempts: 0 },
    }));
    requestBackgroundSync();
    flush();
    state.flash = "已保存在本机并加入待同步队列。";
    state.go(`/field/task/${task.record_id}/sign`, true);
    return true;
  };

  const refusal = draft.refusal_draft || { note: "", confirmed_by: [], evidence: [] };
  const present = task.team.filter((m) => m.kind !== "expert" && draft.team.present.includes(m.certificate_no));
  const refusalMsg = h("div");
  const evidence = h("div");
  const drawEvidence = (shas) => mount(evidence, thumbs(task.record_id, shas));
  drawEvidence(refusal.evidence);
  const setRefusal = (fn) => edit(task.record_id, (d) => { d.refusal_draft ||= { note: "", confirmed_by: [], evidence: [] }; fn(d.refusal_draft); });

  mount(root, ...top, state.takeFlash(),
    summary(task, draft, findings),
    h("p.code", {}, "内容校验码 ", h("strong", { id: "short-code" }, code)),
    h("p.muted", {}, "请法定代表人（或其委托人）核对以上内容后，在下方签名。签名与此校验码绑定。"),
    canvas,
    h("div.row-btns", {}, h("button.small", { type: "button", onclick: () => pad.clear() }, "清除重签")),
    h("h3", {}, "企业印章（可选）"),
    photoInput(task, "seal", "拍摄印章", async (sha) => { await edit(task.record_id, (d) => { d.seal_sha = sha; }); drawSeal(sha); }),
    seal, msg, signBtn,
    h("details.refuse", {},
      h("summary", {}, "当事人拒绝签字"),
      h("label", { for: "refusal-note" }, "拒签情况说明（必填）"),
      h("textarea", { id: "refusal-note", rows: 3, value: refusal.note, placeholder: "如实记录拒签经过",
        oninput: (e) => setRefusal((r) => { r.note = e.target.value; }) }),
      h("fieldset", {}, h("legend", {}, "两名检查人员确认"),
        present.map((m) => h("label.check", {}, h("input", { type: "checkbox", checked: refusal.confirmed_by.includes(m.certificate_no),
          onchange: (e) => setRefusal((r) => {
            const s = new Set(r.confirmed_by);
            if (e.target.checked) s.add(m.certificate_no); else s.delete(m.certificate_no);
            r.confirmed_by = [...s];
          }) }), `${m.name}（${m.certificate_no}）确认以上情况属实`))),
      photoInput(task, "evidence", "拍摄现场证据（可选）", async (sha) => {
        const d = await setRefusal((r) => { r.evidence = [...new Set([...r.evidence, sha])]; });
        drawEvidence(d.refusal_draft.evidence);
      }),
      evidence, refusalMsg,
      h("button.danger", { type: "button", onclick: async () => {
        await db.settled();
        const r = (await db.get("drafts", task.record_id)).refusal_draft || {};
        const confirmed = (r.confirmed_by || []).filter((c) => findings.team.present.includes(c));
        if (!(r.note || "").trim()) return mount(refusalMsg, notice("请填写拒签情况说明。", "error"));
        if (confirmed.length < 2) return mount(refusalMsg, notice("拒签须由两名在场检查人员确认。", "error"));
        await lock({ refusal: { note: r.note.trim(), confirmed_by: confirmed.slice(0, 2).sort(), evidence: r.evidence || [] },
          signature_sha: null, seal_sha: null });
      } }, "确认拒签并提交")));

  const pad = new SignaturePad(canvas);
  canvas.addEventListener("change", () => { signBtn.disabled = pad.empty; });
  signBtn.addEventListener("click", async () => {
    if (pad.empty) return mount(msg, notice("请先签名。", "error"));
    signBtn.disabled = true;
    const sig = await pad.export(`内容校验码 ${code} · ${stampTime()} · ${task.entity.name}`);
    await db.putMedia(task.record_id, { ...sig, kind: "signature" });
    const d = await db.get("drafts", task.record_id);
    if (!(await lock({ signature_sha: sig.sha256, seal_sha: d.seal_sha || null, refusal: null }))) signBtn.disabled = false;
  });
}

// ---------------------------------------------------------------- 亮证
const CREDENTIAL_STATES = { valid: "有效", revoked: "已作废", expired: "已过期", not_yet: "尚未生效", on_leave: "休假中" };

export async function credentialView(root) {
  const key = `credential:${state.session.user.id}`;
  let cred = await db.getMeta(key);
  let missing = false;
  if (navigator.onLine) {
    const r = await fetch("/api/field/credential", { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .catch(() => null);
    if (r && r.ok) {
      cred = { ...(await r.json()), fetched_at: new Date().toISOString() };
      await db.setMeta(key, cred);
    } else if (r && r.status === 404) missing = true;
  }
  const top = [back("/field/", "我的任务"), h("h1", {}, "亮证")];
  if (!cred) {
    return mount(root, ...top, notice(missing ? "您的账号没有关联执法人员名录，无法出示执法证件。"
      : "本机还没有您的证件二维码，请联网后打开本页，之后离线也能出示。", "warn"));
  }
  mount(root, ...top,
    h("section.card.credential", {},
      h("img.qr", { src: cred.qr_png_data_url, alt: "执法证件核验二维码" }),
      h("p.cred-name", {}, cred.name),
      h("p", {}, cred.department),
      h("p", {}, "执法证号 ", h("strong", {}, cred.certificate)),
      h("p", {}, `有效期 ${cred.valid_from || "—"} 至 ${cred.valid_to || "—"}`),
      h(`p.cred-state.${cred.state === "valid" ? "ok" : "bad"}`, {}, CREDENTIAL_STATES[cred.state] || cred.state)),
    h("p.muted", {}, "请当事人用手机扫描二维码，核验执法人员身份。", navigator.onLine ? "" : `（离线，显示 ${fmtTime(cred.fetched_at)} 下载的证件）`));
}

export function notFound(root) {
  mount(root, h("h1", {}, "找不到该任务"), notice("本机没有这项任务。请联网打开“我的任务”更新任务列表。", "warn"), link("/field/", "我的任务"));
}

export function signInView(root, reason) {
  const next = encodeURIComponent(location.pathname);
  mount(root, h("h1", {}, "现场检查"),
    notice(reason, "warn"),
    navigator.onLine ? h("a.button.primary", { href: `/login?next=${next}` }, "登录") : notice("当前离线。请在有网络时登录一次，之后即可离线使用。", "info"));
}
