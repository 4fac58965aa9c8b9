// Shows a catalog form's conditional fields while their condition holds. The server
// decides what is valid; hidden fields are disabled so they are not sent at all.
(function () {
  "use strict";
  function valueOf(form, key) {
    var box = form.querySelector('[data-key="' + key + '"]');
    if (!box || box.hidden) return null;
    var check = box.querySelector('input[type="checkbox"]:not([value])');
    if (check && box.classList.contains("field-check")) return check.checked ? "true" : "false";
    var input = box.querySelector("select, input, textarea");
    return input ? input.value : null;
  }
  function refresh(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (box) {
      var shown = valueOf(form, box.dataset.showIf) === box.dataset.equals;
      box.hidden = !shown;
      box.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !shown;
      });
    });
  }
  function setUp() {
    document.querySelectorAll("[data-catalog-form]").forEach(function (form) {
      form.addEventListener("change", function () { refresh(form); });
      refresh(form);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
