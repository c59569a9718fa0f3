// The progress of a background job (templates/_progress.html): polls /jobs/<id>.json until the job has
// finished, moving the bar (进度 43%), then shows the download or result link, or the job's Chinese error.
// No framework; CSP allows no inline script, so the element carries its addresses in data- attributes.
(function () {
  "use strict";
  const LABELS = { queued: "排队中", running: "进行中", done: "已完成", failed: "失败" };

  function show(box, job) {
    const percent = job.percent == null ? 0 : job.percent;
    const bar = box.querySelector("[data-bar]");
    bar.value = percent;
    bar.textContent = percent + "%";
    box.dataset.state = job.state;
    let text = job.state_label || LABELS[job.state] || job.state;
    if (job.state === "queued" || job.state === "running") {
      if (job.percent != null) text += " · 进度 " + percent + "%";
      if (job.total) text += "（" + job.done + "/" + job.total + "）";
    }
    box.querySelector("[data-text]").textContent = text;
    const error = box.querySelector("[data-error]");
    error.hidden = job.state !== "failed";
    if (job.state === "failed") error.textContent = job.error || "任务失败，请稍后重试。";
    const done = box.querySelector("[data-done]");
    done.hidden = job.state !== "done";
    if (job.state === "done") {
      const link = box.querySelector("[data-link]");
      const file = job.result && job.result.file;
      link.href = file ? box.dataset.downloadUrl : box.dataset.resultUrl;
      link.textContent = file ? "下载" + (job.result.filename ? "：" + job.result.filename : "") : "查看结果";
    }
  }

  function watch(box) {
    if (box.dataset.watching) return;
    box.dataset.watching = "1";
    let wait = 500;
    async function poll() {
      if (box.dataset.state === "done" || box.dataset.state === "failed") return;
      try {
        const response = await fetch(box.dataset.statusUrl, { credentials: "same-origin", cache: "no-store",
                                                              headers: { Accept: "application/json" } });
        if (response.ok) {
          show(box, await response.json());
          wait = 500;
        } else if (response.status === 404) {
          box.querySelector("[data-text]").textContent = "找不到该任务。";
          return;
        } else {
          wait = Math.min(wait * 2, 5000);
        }
      } catch (_) {
        wait = Math.min(wait * 2, 5000); // offline for a moment: try again, less often
      }
      setTimeout(poll, wait);
    }
    poll();
  }

  function start() {
    document.querySelectorAll("[data-job-progress]").forEach(watch);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
