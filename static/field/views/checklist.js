// The checklist (检查内容): each item's method, its points with results, notes and photos; the result codes.
import * as db from "../db.js";
import { h, mount } from "../ui.js";
import { NO_PROBLEM, validateCodes, anyFailed, itemState, pointState } from "../rules.js";
import { state, link, back, notice, load, editable, ensureDraft, edit, notFound } from "./common.js";
import { thumbs, photoInput } from "./photos.js";
import { pointsOf, itemDone, fold, progressBar, keepPlace, restorePlace } from "./checklist_nav.js";

// ---------------------------------------------------------------- 检查内容
// JSON objects arrive with sorted keys: show 未发现问题, then the problems, their dispositions, then the rest.
function categoryOrder(catalog) {
  const first = [NO_PROBLEM, ...(catalog.problems || []), ...(catalog.dispositions || [])];
  const codes = Object.keys(catalog.result_categories);
  return [...first.filter((c) => codes.includes(c)), ...codes.filter((c) => !first.includes(c))];
}

// Single-method matters get their method chosen at once (one write), before the list is shown.
function preselect(task, draft) {
  const single = task.departments.flatMap((d) => d.items)
    .filter((it) => it.methods.length === 1 && !itemState(draft, it).method);
  if (draft.locked || !single.length) return draft;
  return edit(task.record_id, (d) => {
    for (const it of single) (d.items[it.plan_item_id] ||= { method: null, points: [] }).method ||= it.methods[0];
  });
}

// Bulk 符合 for the open points of `items`: one write; an answer already given (or on its way) is never overwritten.
const passItems = (d, items) => {
  for (const item of items) {
    const it = (d.items[item.plan_item_id] ||= { method: null, points: [] });
    item.check_points.forEach((_, i) => { it.points[i] ||= {}; it.points[i].result ||= "pass"; });
  }
};
const passOpen = (recordId, items) => edit(recordId, (d) => passItems(d, items));

export async function checklistView(root, id) {
  const { task, draft: existing } = await load(id);
  if (!task) return notFound(root);
  if (!existing && !editable(task)) return state.go(`/field/task/${task.record_id}`, true);
  let draft = await preselect(task, await ensureDraft(task));
  const locked = draft.locked;
  const catalog = state.catalog;
  const viewId = state.view;
  const codesMsg = h("div");
  const showCodes = async () => {
    const d = await db.get("drafts", task.record_id);
    mount(codesMsg, validateCodes(d.result_codes, anyFailed(task, d), catalog).map((m) => notice(m, "warn")));
  };
  const bar = progressBar(root, task, () => draft);
  // What the disk holds is what the screen shows: every answer appears once its write has committed.
  const reflect = (d) => {
    if (!d) return;
    draft = d;
    for (const it of pointsOf(task)) {
      it.check_points.forEach((_, i) => {
        const li = root.querySelector(`li.point[data-point="p-${it.plan_item_id}-${i}"]`);
        const result = pointState(d, it, i).result;
        for (const input of li ? li.querySelectorAll("input[type=radio]") : []) {
          if (input.checked !== (input.value === result)) input.checked = input.value === result;
        }
      });
      // Only what changed is touched: rewriting 14 unchanged titles would lay the whole list out again.
      const mark = root.querySelector(`section.item[data-item="${it.plan_item_id}"] .item-state`);
      const text = itemDone(d, it) ? "已完成" : "";
      if (mark && mark.textContent !== text) mark.textContent = text;
    }
    bar.update(d);
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
            onclick: async (e) => {
              e.preventDefault();                    // shown once stored, not before
              reflect(await setPoint((pt) => { pt.result = code; }));
              showCodes();
            } }),
          h("span", {}, label)))),
      h("textarea", { rows: 2, placeholder: "情况说明（选“不符合”时必填）", "aria-label": `${text} 情况说明`, value: p.note || "", disabled: locked,
        oninput: async (e) => reflect(await setPoint((pt) => { pt.note = e.target.value; })) }),
      photoInput(task, "photo", "拍照", async (sha) => {
        const d = await setPoint((pt) => { pt.photos = [...new Set([...(pt.photos || []), sha])]; });
        drawPhotos(pointState(d, item, i).photos || []);
      }, locked),
      photos);
  };
  const item = (it) => {
    const st = itemState(draft, it);
    const section = h("section.item.card", { dataset: { item: it.plan_item_id } },
      h("button.item-head", { type: "button", "aria-expanded": "true", onclick: () => fold(section, !section.classList.contains("folded")) },
        h("h3", {}, it.title), h("span.item-state", {})),
      h("div.item-body", {},
        h("label", { for: `m-${it.plan_item_id}` }, "检查方式"),
        h("select", { id: `m-${it.plan_item_id}`, disabled: locked,
          onchange: async (e) => reflect(await edit(task.record_id, (d) => { (d.items[it.plan_item_id] ||= { method: null, points: [] }).method = e.target.value || null; })) },
        h("option", { value: "" }, "请选择"),
        it.methods.map((m) => h("option", { value: m, selected: st.method === m }, catalog.methods[m] || m))),
        h("ol.points", {}, it.check_points.map((text, i) => point(it, i, text))),
        locked ? null : h("button.small", { type: "button", onclick: async () => {
          const d = await passOpen(task.record_id, [it]);
          reflect(d);
          if (itemDone(d, it)) fold(section, true);
          showCodes();
        } }, "其余要点均为符合")));
    return section;
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
  // Every matter whose method the team has chosen: its open points 符合, in one tap. The methods are read in the
  // write itself (the record's writes run in order): a method chosen just before the tap, its write still
  // running, is not yet in `draft`, and its matter was left out.
  const passChosen = async () => {
    let chosen = [];
    const d = await edit(task.record_id, (d) => {
      chosen = pointsOf(task).filter((it) => itemState(d, it).method);
      passItems(d, chosen);
    });
    reflect(d);
    for (const it of chosen) if (itemDone(d, it)) fold(root.querySelector(`section.item[data-item="${it.plan_item_id}"]`), true);
    showCodes();
  };
  mount(root, back(`/field/task/${task.record_id}`), h("h1", {}, "检查内容"),
    locked ? notice("已签字确认，检查内容已锁定，不能再修改。", "ok") : null,
    task.departments.map((d) => h("section.dept", {}, h("h2", {}, d.name), d.items.map(item))),
    locked ? null : h("button", { type: "button", id: "pass-chosen", onclick: passChosen }, "已选检查方式的事项：其余要点均为符合"),
    h("section.card", {}, h("h2", {}, "检查结果"),
      h("p.muted", {}, "“未发现问题”不能与其他结果同时选择；发现问题的，须选择处置方式。"),
      h("fieldset.codes", {}, h("legend", {}, "结果类别"),
        categoryOrder(catalog).map((c) => codeBox(c, catalog.result_categories[c]))),
      codesMsg,
      h("label", { for: "remarks" }, "备注"),
      h("textarea", { id: "remarks", rows: 3, value: draft.remarks || "", disabled: locked,
        oninput: (e) => edit(task.record_id, (d) => { d.remarks = e.target.value; }) })),
    link(`/field/task/${task.record_id}/sign`, locked ? "查看签字确认" : "下一步：签字确认", "button.primary"),
    bar);
  reflect(draft);
  for (const it of pointsOf(task)) if (itemDone(draft, it)) fold(root.querySelector(`section.item[data-item="${it.plan_item_id}"]`), true);
  restorePlace(root, task.record_id);
  keepPlace(root, task.record_id, viewId, (v) => state.view === v);
  if (!locked) showCodes();
}
