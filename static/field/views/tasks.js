// The task list (我的任务): search, the order of what needs the inspector first, the scan and credential buttons.
import * as db from "../db.js";
import { h, mount } from "../ui.js";
import { state, statusOf, returnedBadge, myAmendments, link, notice, myTasks, deadlineLine } from "./common.js";
import { isOnline } from "../net.js";

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
    tasks.length ? search : notice(isOnline() ? "暂无派发给您的检查任务。" : "本机还没有下载任务，请联网后打开。"),
    list, empty);
}
