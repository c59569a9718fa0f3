// The record's rules on the phone, mirroring webapp/domain/results.py, and the findings as the server hashes them.
export const NO_PROBLEM = "no_problem";

export function validateCodes(codes, anyFailed, catalog) {
  const set = new Set(codes);
  const problems = new Set(catalog.problems || []);
  const dispositions = new Set(catalog.dispositions || []);
  const errors = [];
  if (!set.size) errors.push("请至少选择一项检查结果。");
  if (set.has(NO_PROBLEM) && set.size > 1) errors.push("“未发现问题”不能与其他结果同时选择。");
  if (set.has(NO_PROBLEM) && anyFailed) errors.push("有检查项为“不符合”，不能选择“未发现问题”。");
  const hasProblem = [...set].some((c) => problems.has(c)) || anyFailed;
  const hasDisposition = [...set].some((c) => dispositions.has(c));
  if (hasProblem && !hasDisposition) errors.push("发现问题的，须选择处置方式：“发现问题已责令改正”或“发现问题待后续处理”。");
  if (hasDisposition && !hasProblem) errors.push("选择了处置方式，但没有记录发现的问题。");
  return errors;
}

export const itemState = (draft, item) => (draft.items && draft.items[item.plan_item_id]) || {};
export const pointState = (draft, item, i) => (itemState(draft, item).points || [])[i] || {};

export function anyFailed(task, draft) {
  return task.departments.some((d) => d.items.some((item) =>
    item.check_points.some((_, i) => pointState(draft, item, i).result === "fail")));
}

// The findings object of records.py's docstring, in the server's field order (the hash sorts keys anyway).
export function buildFindings(task, draft) {
  return {
    departments: task.departments.map((d) => ({
      department_id: d.department_id,
      items: d.items.map((item) => ({
        plan_item_id: item.plan_item_id,
        method: itemState(draft, item).method || null,
        points: item.check_points.map((text, i) => {
          const p = pointState(draft, item, i);
          return { text, result: p.result || null, note: p.note || "", photos: p.photos || [] };
        }),
      })),
    })),
    team: {
      present: [...((draft.team && draft.team.present) || [])].sort(),
      uniform: !!(draft.team && draft.team.uniform),
      credentials_shown: !!(draft.team && draft.team.credentials_shown),
    },
    result_codes: [...(draft.result_codes || [])].sort(),
    remarks: draft.remarks || "",
  };
}

// 行政处罚法 Art. 42: at least two officers on site; an appointed expert (专业人员) does not count as one.
export function officersPresent(draft, task) {
  const officers = new Set(task.team.filter((m) => m.kind !== "expert").map((m) => m.certificate_no));
  return ((draft.team && draft.team.present) || []).filter((c) => officers.has(c)).length;
}

export function teamProblems(draft, task) {
  const t = draft.team || {};
  const out = [];
  if (officersPresent(draft, task) < 2) out.push("现场检查须至少两名执法人员在场。");
  if (!t.credentials_shown) out.push("请确认已向当事人出示执法证件。");
  if (!t.uniform) out.push("请确认检查人员已按规定着装。");
  return out;
}

// What still stands between this draft and the signature, in the order the inspector works.
export function missingBeforeSigning(task, draft, catalog) {
  const out = [];
  if (!draft.checkin) out.push("尚未签到（扫码入企或核对统一社会信用代码）。");
  if (draft.inspected_on && draft.inspected_on < task.plan.window_start) {
    out.push(`检查日期 ${draft.inspected_on} 早于本方案的检查期间（${task.plan.window_start} 起）。`);
  }
  out.push(...teamProblems(draft, task));
  for (const d of task.departments) {
    for (const item of d.items) {
      if (!itemState(draft, item).method) out.push(`“${item.title}”未选择检查方式。`);
      const open = item.check_points.filter((_, i) => !pointState(draft, item, i).result).length;
      if (open) out.push(`“${item.title}”还有 ${open} 个检查要点未填写结果。`);
      const silent = item.check_points.filter((_, i) => {
        const p = pointState(draft, item, i);
        return p.result === "fail" && !(p.note || "").trim();
      }).length;
      if (silent) out.push(`“${item.title}”有 ${silent} 个“不符合”的检查要点须填写说明。`);
    }
  }
  out.push(...validateCodes(draft.result_codes || [], anyFailed(task, draft), catalog));
  return out;
}

// Every media hash the record refers to: the server wants each uploaded before the record.
export function referencedMedia(draft) {
  const shas = [];
  const f = draft.findings;
  if (f) for (const d of f.departments) for (const item of d.items) for (const p of item.points) shas.push(...p.photos);
  if (draft.signature_sha) shas.push(draft.signature_sha);
  if (draft.seal_sha) shas.push(draft.seal_sha);
  if (draft.refusal) shas.push(...(draft.refusal.evidence || []));
  return [...new Set(shas)];
}
