// The snippet builder: rebuilds the iframe code and the live preview whenever a setting changes.
// Without JavaScript the form reloads the page, which renders the same code on the server.
(function () {
  "use strict";
  const form = document.getElementById("embed-builder");
  if (!form) { return; }
  const snippet = document.getElementById("embed-snippet");
  const preview = document.getElementById("embed-preview");
  const link = document.getElementById("embed-link");
  const copy = document.getElementById("embed-copy");
  const copied = document.getElementById("embed-copied");

  function escapeAttribute(text) {
    return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function update() {
    const params = new URLSearchParams();
    new FormData(form).forEach((value, key) => {
      if (String(value).trim() !== "") { params.append(key, String(value)); }
    });
    const height = Math.min(1200, Math.max(200, Number(params.get("height")) || 480));
    params.set("height", String(height));
    const src = form.dataset.embedBase + "?" + params.toString();
    snippet.value = '<iframe src="' + escapeAttribute(src) + '" title="' + escapeAttribute(form.dataset.title) +
      '" width="100%" height="' + height + '" style="border:0" loading="lazy" ' +
      'referrerpolicy="strict-origin-when-cross-origin"></iframe>';
    link.href = src;
    link.textContent = src;
    preview.height = String(height);
    if (preview.src !== src) { preview.src = src; }
  }

  form.addEventListener("change", update);
  form.addEventListener("submit", (event) => { event.preventDefault(); update(); });
  if (navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", () => {
      navigator.clipboard.writeText(snippet.value).then(() => { copied.textContent = copy.dataset.done; });
    });
  }
})();
