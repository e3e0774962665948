// The review page's shot editor: a change of shot, visual or picture applies at once
// (the form posts as without JavaScript; the page comes back at that sentence). Typed
// text in the script form is saved first as a draft, so nothing typed is lost.
(function () {
  "use strict";
  var form = document.getElementById("shots-form");
  var review = document.getElementById("review-form");
  if (!form) return;
  function apply() {
    if (!review) { form.submit(); return; }
    var data = new FormData(review);
    data.set("action", "save");
    fetch(review.action, { method: "POST", body: data, credentials: "same-origin" })
      .finally(function () { form.submit(); });
  }
  document.querySelectorAll("[form=shots-form]").forEach(function (el) {
    el.addEventListener("change", apply);
  });
})();
