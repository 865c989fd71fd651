/* Capaian SPM: once the first view (the wilayah's own row) has shown, fetch its heavy parts,
   each from its own URL, and put them in place: first the whole matrix, then the trend. Without
   script, or when a fetch fails, each part's link to its own page stays. */
(function () {
  "use strict";
  if (!window.fetch) { return; }
  var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-src]"));

  function load(box) {
    var before = box.innerHTML;
    var note = document.createElement("p");
    note.className = "hint loading";
    note.setAttribute("role", "status");
    note.textContent = box.getAttribute("data-loading") || "…";
    box.appendChild(note);
    box.setAttribute("aria-busy", "true");
    return fetch(box.getAttribute("data-src"), {
      credentials: "same-origin",
      headers: { Accept: "text/html" }
    })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) { box.innerHTML = html; })
      .catch(function () { box.innerHTML = before; })
      .then(function () {
        box.removeAttribute("data-src");
        box.setAttribute("aria-busy", "false");
      });
  }

  // One after another: the matrix matters most, and both ask the same services.
  boxes.reduce(function (done, box) {
    return done.then(function () { return load(box); });
  }, Promise.resolve());
})();
