// The reading of an import file (templates/directory/import_reading.html): when its job's progress bar
// (progress.js) says the job is done, go to the batch's page, which is then its preview or its header mapping.
// No click on 查看结果 needed (without JavaScript that link stays). A failed job's error stays on the bar.
(function () {
  "use strict";
  function follow(box) {
    const ended = () => box.dataset.state === "done";
    const go = () => window.location.replace(box.dataset.resultUrl);
    if (ended()) return go();
    new MutationObserver(() => { if (ended()) go(); }).observe(box, { attributes: true, attributeFilter: ["data-state"] });
  }
  function start() {
    document.querySelectorAll("[data-job-progress]").forEach(follow);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
