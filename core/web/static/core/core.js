// Small progressive enhancements of the shell; every page works without them (no inline JS:
// the CSP allows scripts from this origin only).
(function () {
  "use strict";
  // A second click on a submit button while its form is being sent does nothing; the server
  // also refuses a form submitted twice (core.web.forms), this only spares the round trip.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    window.setTimeout(function () { delete form.dataset.submitting; }, 8000);
  });
  // "Are you sure?" for destructive buttons: <button data-confirm="…">.
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-confirm]") : null;
    if (target && !window.confirm(target.getAttribute("data-confirm"))) event.preventDefault();
  });
  // <select data-autosubmit> submits its form on change (the button stays for keyboards).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.requestSubmit();
    }
  });
  // On phones the menu starts folded (it is open in the markup so it works without scripts).
  document.addEventListener("DOMContentLoaded", function () {
    var menu = document.querySelector(".menu-toggle");
    if (menu && window.matchMedia("(max-width: 700px)").matches) menu.open = false;
  });
})();
