// The task list (我的任务): search, the order of what needs the inspector first, the scan and credential buttons.
import * as db from "../db.js";
import { h, mount } from "../ui.js";
import { state, statusOf, returnedBadge, ownAmendments, link, notice, deadlineOf } from "./common.js";
import { isOnline } from "../net.js";

// A card is drawn once and copied for each task (the engine copies it in one call, not element by element); its
// text then goes in as text.
let proto = null;
const cardProto = () => (proto ||= h("li.task", {}, h("a.task-link", { "data-nav": "" },
  h("strong"), h("span.muted"), h("span.muted"), h("span.muted"), h("span.badges", {}, h("span.badge")), h("p"))));

// ---------------------------------------------------------------- 我的任务
export async function tasksView(root) {
  // One read: the cards (what a card shows of each task), the drafts and the 补充说明; at start-up app.js has it.
  const uid = state.session.user.id;
  const list = state.preloaded && state.preloaded.user_id === uid ? state.preloaded : await db.listOf(uid);
  state.preloaded = null;
  const tasks = list.cards;
  const drafts = new Map(list.drafts.map((d) => [d.record_id, d]));
  const amended = new Map();
  for (const a of ownAmendments(list.amendments)) amended.set(a.record_id, [...(amended.get(a.record_id) || []), a]);
  const search = h("input", { type: "search", placeholder: "搜索企业名称、信用代码或地址", "aria-label": "搜索任务" });
  const empty = h("p.muted", { hidden: true }, "没有匹配的任务。");
  // What needs the inspector first: problems with sending, then in progress, waiting to go, just uploaded (so a
  // synced record stays in sight), to do, and what the server holds.
  const group = (t) => {
    const d = drafts.get(t.record_id);
    if (t.status === "returned") return 0;
    if (d && d.locked) return { conflict: 0, rejected: 0, auth: 0, retry: 2, queued: 2, synced: 3 }[d.sync.state] ?? 3;
    if (d) return 1;
    return t.status === "dispatched" ? 4 : 5;
  };
  const GROUPS = ["需要处理", "填写中", "待上传", "已上传", "待检查", "已提交"];
  const card = (t) => {
    const d = drafts.get(t.record_id);
    const li = cardProto().cloneNode(true);
    li.dataset.search = `${t.entity.name} ${t.entity.uscc} ${t.entity.address || ""}`.toLowerCase();
    const a = li.firstChild;
    a.setAttribute("href", `/field/task/${t.record_id}`);
    const [name, address, plan, team, badges, deadline] = a.children;
    name.textContent = t.entity.name;
    address.textContent = t.entity.address || "";
    plan.textContent = `${t.plan.doc_number} · ${t.departments.map((x) => x.name).join("、")}`;
    team.textContent = `检查组：${t.team.map((m) => m.name).join("、")}`;
    const returned = returnedBadge(t);
    if (returned) badges.prepend(returned);
    badges.lastChild.textContent = statusOf(t, d, amended.get(t.record_id) || []);
    const line = deadlineOf(t, d);
    deadline.className = line.cls;
    deadline.textContent = line.text;
    return li;
  };
  const byName = new Intl.Collator("zh").compare;           // one collator, not one per comparison
  const rank = new Map(tasks.map((t) => [t, group(t)]));
  const sorted = tasks.sort((a, b) => rank.get(a) - rank.get(b) || byName(a.entity.name, b.entity.name));
  const sections = GROUPS.map((title, g) => {
    const mine = sorted.filter((t) => rank.get(t) === g);
    if (!mine.length) return null;
    return h("section.task-group", { dataset: { group: title } },
      h("h2", {}, `${title}（${mine.length}）`), h("ul.tasks", {}, mine.map(card)));
  }).filter(Boolean);
  search.addEventListener("input", () => {
    const q = search.value.trim().toLowerCase();
    let shown = 0;
    for (const section of sections) {
      let here = 0;
      for (const c of section.querySelectorAll("li.task")) { c.hidden = !!q && !c.dataset.search.includes(q); here += !c.hidden; }
      section.hidden = here === 0;
      shown += here;
    }
    empty.hidden = shown > 0;
  });
  const scan = h("div.row-btns", {},
    "BarcodeDetector" in self ? link("/field/scan", "扫码入企", "button.primary") : null,
    link("/field/credential", "亮证（出示执法证件二维码）", "button"));
  mount(root,
    h("h1", {}, "我的任务"),
    state.session ? h("p.muted", {}, `${state.session.user.full_name}（${state.session.user.department || ""} · 证号 ${state.session.user.certificate_no || "—"}）`) : null,
    scan,
    tasks.length ? h("p.muted", {}, `共 ${tasks.length} 项任务`) : null,
    tasks.length ? search : notice(isOnline() ? "暂无派发给您的检查任务。" : "本机还没有下载任务，请联网后打开。"),
    sections, empty);
}
