// One task: its facts and steps, and the reviewer's returns with the team's 补充说明.
import * as db from "../db.js";
import { h, mount, fmtTime } from "../ui.js";
import { teamProblems } from "../rules.js";
import { flush, requestBackgroundSync, isHeld, waitingAmendment, withdrawAmendment } from "../sync.js";
import { isOnline } from "../net.js";
import { thumbs, photoInput } from "./photos.js";
import {
  state, statusOf, returnedBadge, myAmendments, back, notice, load, editable, deadlineLine, notFound,
} from "./common.js";

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
        + (a.sync.server.status === task.status && task.status_label ? ` · 服务器状态：${task.status_label}` : "")),
      h("p.amend-text", {}, a.text), (a.photos || []).length ? thumbs(task.record_id, a.photos) : null)),
    team.map((a) => h("div.amendment.team", {},
      h("p.notice.ok", { role: "status" }, `${a.by} 已提交补充说明 · ${fmtTime(a.at)}`),
      h("p.amend-text", {}, a.text))),
    pending.map((a) => h("div.amendment.waiting", {},
      h("p.notice.warn", { role: "status" }, a.sync.state === "queued"
        ? `补充说明已保存在本机，${isOnline() ? "等待同步" : "待联网后上传"}`
        : `补充说明未能提交：${a.sync.error || "稍后自动重试"}`),
      h("p.amend-text", {}, a.text), (a.photos || []).length ? thumbs(task.record_id, a.photos) : null,
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
  // `change(a)`: the draft amendment with the edit made (text typed, a 补拍照片 added or removed).
  const save = (change) => {
    clientId ||= crypto.randomUUID();
    return db.update("amendments", clientId, (a) => (a ? (a.sync.state === "draft" ? change({ photos: [], ...a }) : undefined) : change({
      kind: "amendment", client_id: clientId, record_id: task.record_id, client_uuid: task.client_uuid,
      user_id: state.session.user.id, text: "", photos: [], created_at: new Date().toISOString(), sync: { state: "draft" },
    })));
  };
  const setText = (text) => save((a) => ({ ...a, text }));
  const photos = h("div");
  const drawPhotos = (shas) => mount(photos, thumbs(task.record_id, shas, async (sha) => {
    const a = await save((x) => ({ ...x, photos: x.photos.filter((s) => s !== sha) }));
    drawPhotos(a.photos);
  }));
  drawPhotos((open && open.photos) || []);
  const area = h("textarea", { id: "amend-text", rows: 5, maxlength: AMEND_MAX, value: open ? open.text : "",
    placeholder: "针对审核意见说明情况，如整改结果、补充的事实等",
    oninput: (e) => { count.textContent = `${e.target.value.length}/${AMEND_MAX}`; setText(e.target.value); } });
  const submit = async () => {
    const text = area.value.trim();
    if (!text) return mount(msg, notice("请填写补充说明。", "error"));
    if (text.length > AMEND_MAX) return mount(msg, notice(`补充说明不能超过 ${AMEND_MAX} 字。`, "error"));
    if (!task.client_uuid) return mount(msg, notice("服务器上还没有这份记录的编号，请联网刷新任务后再提交。", "error"));
    await setText(area.value);
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
    h("label", { for: "amend-text" }, "补充说明"), area, count,
    // 补拍照片 (the reviewer may ask for them): the same camera button as the checklist, sent before the text.
    photoInput(task, "amendment", "补拍照片", async (sha) => {
      const a = await save((x) => ({ ...x, photos: [...new Set([...x.photos, sha])] }));
      drawPhotos(a.photos);
    }),
    photos, msg,
    h("button.primary", { type: "button", onclick: submit }, "提交补充说明"));
}
