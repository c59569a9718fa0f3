// The print view's "打印" button (CSP forbids inline handlers).
document.getElementById("print-button")?.addEventListener("click", () => window.print());
