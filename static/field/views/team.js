// The team on site: who is present, credentials shown, uniform.
import { h, mount } from "../ui.js";
import { teamProblems } from "../rules.js";
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
