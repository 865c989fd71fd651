/* Capaian SPM: after the matrix has shown, fetch the trend (its own URL) and put it in place.
   Without script, or if the fetch fails, the link to the trend's page stays. */
(function () {
  "use strict";
  var box = document.getElementById("trend");
  if (!box || !window.fetch) { return; }
  var link = box.innerHTML;
  box.setAttribute("aria-busy", "true");
  box.insertAdjacentHTML("afterbegin", "<p class=\"hint trend-loading\"></p>");
  box.querySelector(".trend-loading").textContent = box.getAttribute("data-loading") || "…";
  fetch(box.getAttribute("data-trend-src"), { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.text();
    })
    .then(function (html) { box.innerHTML = html; })
    .catch(function () { box.innerHTML = link; })
    .then(function () { box.setAttribute("aria-busy", "false"); });
})();
