// Signing (签字确认): the read-only summary, the signature or a recorded refusal, and locking the record.
import * as db from "../db.js";
import { h, mount } from "../ui.js";
import { findingsHash, shortCode } from "../canon.js";
import { stampTime } from "../photo.js";
import { SignaturePad } from "../signature.js";
import { buildFindings, missingBeforeSigning } from "../rules.js";
import { flush, requestBackgroundSync } from "../sync.js";
import { state, link, back, notice, load, editable, ensureDraft, edit, deadlineLine, notFound } from "./common.js";
import { thumbs, photoInput } from "./photos.js";

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
        oninput: (e) => {
          // The error said the text was missing: once there is text, it goes.
          if (e.target.value.trim() && refusalMsg.dataset.error === "note") { mount(refusalMsg); delete refusalMsg.dataset.error; }
          setRefusal((r) => { r.note = e.target.value; });
        } }),
      h("fieldset", {}, h("legend", {}, "两名检查人员确认"),
        present.map((m) => h("label.check", {}, h("input", { type: "checkbox", checked: refusal.confirmed_by.includes(m.certificate_no),
          onchange: async (e) => {
            const d = await setRefusal((r) => {
              const s = new Set(r.confirmed_by);
              if (e.target.checked) s.add(m.certificate_no); else s.delete(m.certificate_no);
              r.confirmed_by = [...s];
            });
            if (refusalMsg.dataset.error === "confirm" && d.refusal_draft.confirmed_by.length >= 2) mount(refusalMsg);
          } }), `${m.name}（${m.certificate_no}）确认以上情况属实`))),
      photoInput(task, "evidence", "拍摄现场证据（可选）", async (sha) => {
        const d = await setRefusal((r) => { r.evidence = [...new Set([...r.evidence, sha])]; });
        drawEvidence(d.refusal_draft.evidence);
      }),
      evidence, refusalMsg,
      h("button.danger", { type: "button", onclick: async () => {
        await db.settled();
        const r = (await db.get("drafts", task.record_id)).refusal_draft || {};
        const confirmed = (r.confirmed_by || []).filter((c) => findings.team.present.includes(c));
        refusalMsg.dataset.error = !(r.note || "").trim() ? "note" : confirmed.length < 2 ? "confirm" : "";
        if (refusalMsg.dataset.error === "note") return mount(refusalMsg, notice("请填写拒签情况说明。", "error"));
        if (refusalMsg.dataset.error === "confirm") return mount(refusalMsg, notice("拒签须由两名在场检查人员确认。", "error"));
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
