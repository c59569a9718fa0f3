// The team on site: who is present, credentials shown, uniform.
import { h, mount } from "../ui.js";
import { teamProblems, officersPresent } from "../rules.js";
import { state, link, back, notice, load, editable, ensureDraft, edit, notFound } from "./common.js";

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
  // 行政处罚法 Art. 42: no step onwards with fewer than two officers ticked. Decided at the tap, from the ticks
  // on screen (the next screen reads the draft once every tick is on the disk: common.load).
  const refusal = h("div");
  const nextStep = link(`/field/task/${task.record_id}/checklist`, "下一步：检查内容", "button.primary");
  nextStep.addEventListener("click", (e) => {
    const ticked = [...root.querySelectorAll("input[data-cert]:checked")].filter((x) => x.dataset.officer === "1");
    if (locked || ticked.length >= 2) return;          // the app's router takes the link
    e.preventDefault();
    mount(refusal, notice("现场检查须至少两名执法人员在场：请勾选在场的两名执法人员后再继续。", "error"));
  });
  const box = (checked, onchange, text, extra = {}) =>
    h("label.check", {}, h("input", { type: "checkbox", checked, disabled: locked, onchange, ...extra }), text);
  mount(root, back(`/field/task/${task.record_id}`), h("h1", {}, "检查组确认"),
    state.takeFlash(),
    h("fieldset", {}, h("legend", {}, "在场的检查人员（至少两名）"),
      task.team.map((m) => box(present.has(m.certificate_no), async (e) => {
        const d = await edit(task.record_id, (x) => {
          const s = new Set(x.team.present);
          if (e.target.checked) s.add(m.certificate_no); else s.delete(m.certificate_no);
          x.team.present = [...s];
        });
        show(d);
        if (officersPresent(d, task) >= 2) mount(refusal);
      }, h("span", {}, h("strong", {}, m.name), ` ${m.department} · 执法证号 ${m.certificate_no}${m.kind === "expert" ? " · 专业人员" : ""}`),
      { dataset: { cert: m.certificate_no, officer: m.kind === "expert" ? "0" : "1" } }))),
    h("fieldset", {}, h("legend", {}, "亮证与着装"),
      box(draft.team.credentials_shown, async (e) => show(await edit(task.record_id, (d) => { d.team.credentials_shown = e.target.checked; })),
        "已向当事人出示执法证件", { name: "credentials" }),
      box(draft.team.uniform, async (e) => show(await edit(task.record_id, (d) => { d.team.uniform = e.target.checked; })),
        "检查人员已按规定着装", { name: "uniform" })),
    h("p", {}, link("/field/credential", "出示我的执法证件二维码", "button.small")),
    problems, refusal,
    nextStep);
  show(draft);
}
