// Finding one's way in a long checklist (14 matters, ~39 points on a 360 px phone): the progress bar (答 30/39)
// with its 下一个未填 jump, finished matters folded to their title, and the place the inspector left, kept so
// that coming back (返回检查内容, the browser's back) opens the list where it was, not at its top.
import { h } from "../ui.js";
import { itemState, pointState } from "../rules.js";

export const pointsOf = (task) => task.departments.flatMap((d) => d.items);

// A matter is done when its method is chosen and every point has a result (a 不符合 with its note).
export function itemDone(draft, item) {
  if (!itemState(draft, item).method) return false;
  return item.check_points.every((_, i) => {
    const p = pointState(draft, item, i);
    return p.result && (p.result !== "fail" || (p.note || "").trim());
  });
}

export function answered(draft, task) {
  const items = pointsOf(task);
  const total = items.reduce((n, it) => n + it.check_points.length, 0);
  const done = items.reduce((n, it) => n + it.check_points.filter((_, i) => pointState(draft, it, i).result).length, 0);
  return { done, total };
}

// Fold or unfold one matter's section (its title button stays).
export function fold(section, folded) {
  section.classList.toggle("folded", folded);
  const head = section.querySelector(".item-head");
  if (head) head.setAttribute("aria-expanded", String(!folded));
}

function firstOpen(root, draft, task) {
  const item = pointsOf(task).find((it) => !itemDone(draft, it));
  if (!item) return null;
  const section = root.querySelector(`section.item[data-item="${item.plan_item_id}"]`);
  const i = item.check_points.findIndex((_, k) => {
    const p = pointState(draft, item, k);
    return !p.result || (p.result === "fail" && !(p.note || "").trim());
  });
  const target = !itemState(draft, item).method ? section.querySelector("select")
    : section.querySelector(`li.point[data-point="p-${item.plan_item_id}-${i}"]`);
  return { section, target: target || section };
}

// The bottom bar: 答 n/N and the jump to the first matter not finished.
export function progressBar(root, task, current) {
  const count = h("strong", { id: "progress-count" });
  const jump = h("button.small", { type: "button", onclick: () => {
    const open = firstOpen(root, current(), task);
    if (!open) return;
    fold(open.section, false);
    open.target.scrollIntoView({ block: "center" });
    open.target.classList.add("flash");
    setTimeout(() => open.target.classList.remove("flash"), 1200);
  } }, "下一个未填");
  const bar = h("div.progress", { role: "status" }, count, jump);
  bar.update = (draft) => {
    const { done, total } = answered(draft, task);
    const text = `答 ${done}/${total}`, finished = !firstOpen(root, draft, task);
    if (count.textContent !== text) count.textContent = text;
    if (jump.hidden !== finished) jump.hidden = finished;
  };
  return bar;
}

// ---- the place in the list, per record: the point (or matter) at the top of the screen, and its offset
const KEY = (id) => `checklist-at:${id}`;
const TOP = 100;                                   // below the sticky title bar and outbox line

export function keepPlace(root, recordId, viewId, isCurrent) {
  let pending = false;
  const save = () => {
    pending = false;
    if (!isCurrent(viewId)) return removeEventListener("scroll", onScroll);
    const el = [...root.querySelectorAll("li.point, section.item.folded")].find((x) => x.offsetParent && x.getBoundingClientRect().bottom > TOP);
    if (!el) return;
    const ref = el.dataset.point ? `point:${el.dataset.point}` : `item:${el.dataset.item}`;
    try { sessionStorage.setItem(KEY(recordId), JSON.stringify({ ref, y: Math.round(el.getBoundingClientRect().top) })); } catch { /* private mode */ }
  };
  const onScroll = () => { if (!pending) { pending = true; requestAnimationFrame(save); } };
  addEventListener("scroll", onScroll, { passive: true });
}

export function restorePlace(root, recordId) {
  let at;
  try { at = JSON.parse(sessionStorage.getItem(KEY(recordId)) || "null"); } catch { at = null; }
  if (!at) return;
  const [kind, ref] = at.ref.split(/:(.*)/s);
  let el = root.querySelector(kind === "point" ? `li.point[data-point="${ref}"]` : `section.item[data-item="${ref}"]`);
  if (el && !el.offsetParent) el = el.closest("section.item");     // folded since: its title
  if (!el) return;
  window.scrollTo(0, window.scrollY + el.getBoundingClientRect().top - at.y);
}
