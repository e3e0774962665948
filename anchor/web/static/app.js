// Small progressive enhancements; every page also works without this file.
(function () {
  "use strict";

  function sentence(msg) {
    return msg ? msg.charAt(0).toUpperCase() + msg.slice(1) + "…" : "";
  }

  // Job page: poll progress while a worker runs; reload when the status changes.
  var box = document.querySelector("[data-poll]");
  if (box) {
    var url = box.getAttribute("data-poll");
    var shown = box.getAttribute("data-status");
    var stage = document.getElementById("stage");
    var log = document.getElementById("log");
    var steps = document.querySelectorAll("#steps .step");
    var delay = 1000;
    var tick = function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (p) {
          if (p.status !== shown) { window.location.reload(); return; }
          stage.textContent = sentence(p.stage);
          log.replaceChildren.apply(log, p.log.map(function (line) {
            var li = document.createElement("li");
            var t = document.createElement("time");
            t.textContent = line[0];
            li.append(t, " " + line[1]);
            return li;
          }));
          steps.forEach(function (el, i) {
            el.classList.toggle("is-done", i < p.phase);
            el.classList.toggle("is-current", i === p.phase);
          });
          delay = 1000;
          setTimeout(tick, delay);
        })
        .catch(function () {
          delay = Math.min(delay * 2, 15000);  // server restarting: back off, keep trying
          setTimeout(tick, delay);
        });
    };
    setTimeout(tick, delay);
  }

  // Forms: a busy label on the button, so a slow upload is not submitted twice.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      var btn = ev.submitter;
      if (btn && btn.hasAttribute("data-busy")) {
        // Disabling drops the button's name/value from the form data: keep it in a hidden field.
        if (btn.name) {
          var keep = document.createElement("input");
          keep.type = "hidden"; keep.name = btn.name; keep.value = btn.value;
          form.appendChild(keep);
        }
        btn.textContent = btn.getAttribute("data-busy");
        btn.disabled = true;
      }
    });
  });

  // Article box: a live character count against the server's limit.
  var text = document.getElementById("article-text");
  var count = document.getElementById("char-count");
  if (text && count) {
    var update = function () {
      var n = text.value.length;
      count.textContent = n ? n.toLocaleString() + " characters" : "";
    };
    text.addEventListener("input", update);
    update();
  }
})();
