// What every screen of the field app shares: the app state, the record's status line, small page parts, and
// the reads and writes of a task's draft. Each step writes to IndexedDB the moment it is entered (db.updateDraft).
import * as db from "../db.js";
import { h, mount } from "../ui.js";
import { deadlineText } from "../deadline.js";
import { isAmendment, waitingAmendment } from "../sync.js";
import { isOnline } from "../net.js";

export const state = { session: null, catalog: null, cal: null, view: null, go: null, preloaded: null };

// The record's status is labelled by the server: each task comes with its status_label and keeps it. The labels
// here are for the phone's own states, which the server never sends: a draft being filled in, a signed record in
// the outbox, a return to answer or its 补充说明 waiting to go, and a 补充说明 the server took (its answer has no
// label) before the tasks are downloaded again.
const SYNC_STATUS = {
  queued: "待同步", retry: "稍后自动重试", auth: "待重新登录", rejected: "被拒收", conflict: "冲突", synced: "已同步",
};

// A returned record shows the return (or its amendment waiting to go) before anything about the local draft.
export function statusOf(task, draft, amendments = []) {
  if (task.status === "returned") {
    if (!amendments.some(waitingAmendment)) return "待补充说明";
    return isOnline() ? "补充说明待同步" : "补充说明待联网后上传";
  }
  if (amendments.some((a) => a.sync.state === "synced")) return task.status_label || "补充说明已提交";
  if (!draft) return task.status_label || task.status;
  if (!draft.locked) return "填写中";
  // Waiting only for the network is no failure: say so plainly.
  if (["queued", "retry"].includes(draft.sync.state) && (!isOnline() || draft.sync.code === 0)) return "待联网后上传";
  return SYNC_STATUS[draft.sync.state] || "待同步";
}

export const returnedBadge = (task) => (task.status === "returned" ? h("span.badge.returned", {}, "退回") : null);

export const ownAmendments = (list) => list.filter((a) => a.user_id === state.session.user.id && isAmendment(a))
  .sort((a, b) => (a.created_at < b.created_at ? -1 : 1));

export async function myAmendments(recordId) {
  return ownAmendments(recordId == null ? await db.all("amendments") : await db.amendmentsOf(recordId));
}

export const link = (href, text, cls = "button") => h(`a.${cls}`, { href, "data-nav": "" }, text);
export const back = (href, text = "返回") => h("a.back", { href, "data-nav": "" }, "‹ ", text);
export const notice = (text, kind = "info") => h(`p.notice.${kind}`, { role: kind === "error" ? "alert" : "status" }, text);

export async function myTasks() {
  const uid = state.session && state.session.user.id;
  return (await db.all("tasks")).filter((t) => t.user_id === uid);
}

export async function load(recordId) {
  const id = Number(recordId);
  await db.settled();              // a write still on its way is part of what the screen shows
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

export const editable = (task) => task.status === "dispatched";

export function ensureDraft(task) {
  return db.updateDraft(task.record_id, (d) => (d ? undefined : newDraft(task)));
}

// A change to an unlocked draft: the mutation never touches a signed record.
export function edit(recordId, mutate) {
  return db.updateDraft(recordId, (d) => {
    if (!d || d.locked) return undefined;
    mutate(d);
    return d;
  });
}

// The deadline line of a task: its text and its classes (the list copies them into its cards, the task page draws it).
export function deadlineOf(task, draft) {
  const line = deadlineText({
    cal: state.cal, inspectedOn: draft && draft.inspected_on, entryDays: task.plan.entry_days,
    server: (draft && draft.sync && draft.sync.server) || (task.sync_due ? { sync_due: task.sync_due, late: task.late } : null),
  });
  if (line) return { cls: line.late ? "deadline late" : "deadline", text: line.text };
  return { cls: "deadline muted", text: `检查期间 ${task.plan.window_start} 至 ${task.plan.window_end}；检查后 ${task.plan.entry_days} 个工作日内同步` };
}

export function deadlineLine(task, draft) {
  const { cls, text } = deadlineOf(task, draft);
  return h("p", { class: cls }, text);
}

export function notFound(root) {
  mount(root, h("h1", {}, "找不到该任务"), notice("本机没有这项任务。请联网打开“我的任务”更新任务列表。", "warn"), link("/field/", "我的任务"));
}

export function signInView(root, reason) {
  const next = encodeURIComponent(location.pathname);
  mount(root, h("h1", {}, "现场检查"),
    notice(reason, "warn"),
    isOnline() ? h("a.button.primary", { href: `/login?next=${next}` }, "登录") : notice("当前离线。请在有网络时登录一次，之后即可离线使用。", "info"));
}

// After sync: 已上传 N 条, for what left the outbox because the server took it (not for what was set aside).
let lastWaiting = null;
export async function announceUploads(queue) {
  const key = (x) => (isAmendment(x) ? `a:${x.client_id}` : `d:${x.record_id}`);
  const before = lastWaiting;
  lastWaiting = new Set(queue.map(key));
  if (!before) return;
  const gone = [...before].filter((k) => !lastWaiting.has(k));
  if (!gone.length) return;
  const found = await Promise.all(gone.map((k) => (k[0] === "a" ? db.get("amendments", k.slice(2)) : db.get("drafts", Number(k.slice(2))))));
  const n = found.filter((x) => x && x.sync && x.sync.state === "synced").length;
  if (!n) return;
  const box = document.getElementById("uploaded") || h("div.banner");
  box.id = "uploaded";
  mount(box, h("p.notice.ok", { role: "status" }, `已上传 ${n} 条，服务器已收到。`,
    h("button.small.dismiss", { type: "button", onclick: () => box.remove() }, "知道了")));
  if (!box.isConnected) document.getElementById("banners").append(box);
}
