// Small progressive enhancements; every page also works without this file.
(function () {
  "use strict";

  function duration(s) {
    s = Math.max(0, Math.round(s));
    if (s < 60) return s + " s";
    var m = Math.floor(s / 60); s = s % 60;
    if (m < 60) return m + " min" + (s ? " " + (s < 10 ? "0" : "") + s + " s" : "");
    var h = Math.floor(m / 60); m = m % 60;
    return h + " h " + (m < 10 ? "0" : "") + m + " min";
  }

  function queueText(ahead) {
    if (ahead === 0) return "Next up";
    return ahead === 1 ? "1 story ahead of yours" : ahead + " stories ahead of yours";
  }

  function estimateText(w) {
    if (w.estimate_s === null) return "No estimate yet: the first stories set the pace";
    if (!w.started) return "About " + duration(w.estimate_s) + " once started";
    return w.remaining_s > 0 ? "About " + duration(w.remaining_s) + " left"
                             : "Taking longer than usual";
  }

  // Job page: poll progress while a worker runs; reload when the status changes. The
  // clock ticks locally every second; a lost connection is said, and retried.
  var box = document.querySelector("[data-poll]");
  if (box) {
    var url = box.getAttribute("data-poll");
    var shown = box.getAttribute("data-status");
    var stage = document.getElementById("stage");
    var log = document.getElementById("log");
    var steps = document.querySelectorAll("#steps .step");
    var elapsedEl = document.getElementById("elapsed");
    var queueEl = document.getElementById("queue");
    var queueFact = document.getElementById("queue-fact");
    var estimateEl = document.getElementById("estimate");
    var conn = document.getElementById("connection");
    var connDetail = document.getElementById("connection-detail");
    var elapsed = Number(box.getAttribute("data-elapsed")) || 0;
    var base = Date.now();
    var waiting = null;
    var failures = 0;
    var delay = 1000;

    setInterval(function () {
      var now = elapsed + (Date.now() - base) / 1000;
      elapsedEl.textContent = duration(now);
      if (waiting && waiting.started && waiting.remaining_s !== null) {
        var left = waiting.remaining_s - (Date.now() - base) / 1000;
        estimateEl.textContent = estimateText({estimate_s: waiting.estimate_s, started: true,
                                               remaining_s: left});
      }
    }, 1000);

    var online = function () {
      failures = 0;
      conn.hidden = true;
      box.classList.remove("is-offline");
    };
    var offline = function (why) {
      failures += 1;
      conn.hidden = false;
      box.classList.add("is-offline");
      connDetail.textContent = "Next try in " + duration(delay / 1000) +
        (failures > 1 ? " (" + failures + " tries so far)" : "") +
        ". Your job keeps running on the server." + (why ? " [" + why + "]" : "");
    };

    var tick = function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin",
                   cache: "no-store" })
        .then(function (r) {
          if (r.redirected || r.status === 401 || r.status === 303) {
            window.location.reload();  // signed out: the page shows the sign-in form
            throw new Error("signed out");
          }
          if (!r.ok) throw new Error("server answered " + r.status);
          return r.json();
        })
        .then(function (p) {
          online();
          if (p.status !== shown) { window.location.reload(); return; }
          stage.textContent = p.stage + "…";
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
          if (p.waiting) {
            waiting = p.waiting;
            elapsed = p.waiting.elapsed_s;
            base = Date.now();
            queueFact.hidden = p.waiting.started;
            queueEl.textContent = queueText(p.waiting.ahead);
            estimateEl.textContent = estimateText(p.waiting);
          }
          delay = 1000;
          setTimeout(tick, delay);
        })
        .catch(function (err) {
          delay = Math.min(delay * 2, 15000);  // server restarting: back off, keep trying
          offline(err && err.message && err.message.indexOf("server answered") === 0
                  ? err.message : "");
          setTimeout(tick, delay);
        });
    };
    setTimeout(tick, delay);
  }

  // Forms: confirm what cannot be undone; a busy label on the button, so a slow upload
  // is not submitted twice.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      var ask = form.getAttribute("data-confirm");
      if (ask && !window.confirm(ask)) { ev.preventDefault(); return; }
      if (form.id === "story-form" && !checkStory()) { ev.preventDefault(); return; }
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

  // Story form: size and type are checked here, before anything is sent, so an
  // oversize paste or a wrong file never leaves the page (the server checks again).
  var story = document.getElementById("story-form");
  var text = document.getElementById("article-text");
  var count = document.getElementById("char-count");
  var file = document.getElementById("article-file");
  var fileCheck = document.getElementById("file-check");
  var clientError = document.getElementById("client-error");
  var maxChars = story ? Number(story.getAttribute("data-max-chars")) : 0;
  var maxUpload = story ? Number(story.getAttribute("data-max-upload")) : 0;
  var okSuffix = [".txt", ".md", ".markdown", ".json"];

  function fileProblem() {
    if (!file || !file.files || !file.files.length) return "";
    var f = file.files[0];
    var name = f.name.toLowerCase();
    if (!okSuffix.some(function (s) { return name.slice(-s.length) === s; })) {
      return f.name + " is not a text article: upload .txt, .md or .json, or paste the text.";
    }
    if (f.size > maxUpload) {
      return f.name + " is " + (f.size / 1e6).toFixed(1) + " MB; the limit is " +
        (maxUpload / 1e6).toFixed(1) + " MB. Paste the article text instead.";
    }
    return "";
  }

  function textProblem() {
    var n = text ? text.value.length : 0;
    if (n > maxChars) {
      return "The article is " + n.toLocaleString("en") + " characters; the limit is " +
        maxChars.toLocaleString("en") + ". Shorten it or split it into several stories — " +
        "your text is still here.";
    }
    return "";
  }

  function checkStory() {
    var problem = textProblem() || fileProblem();
    var langs = story.querySelectorAll("input[name=langs]:checked").length;
    if (!problem && !langs) problem = "Pick at least one language: Mandarin, English or both.";
    if (!problem && !(text && text.value.trim()) && !(file && file.files && file.files.length)) {
      problem = "Paste the article or choose a file first.";
    }
    if (clientError) {
      clientError.hidden = !problem;
      clientError.textContent = problem;
    }
    if (problem) (clientError || story).scrollIntoView({ block: "center" });
    return !problem;
  }

  if (text && count) {
    var update = function () {
      var n = text.value.length;
      count.textContent = n ? n.toLocaleString("en") + " of " + maxChars.toLocaleString("en") +
        " characters" + (n > maxChars ? " — too long" : "") : "";
      count.classList.toggle("is-error", n > maxChars);
    };
    text.addEventListener("input", update);
    update();
  }
  // Length limits are said, never enforced by cutting: a pasted headline that the browser
  // silently shortened would go on air shortened. The server refuses and explains too.
  document.querySelectorAll("[data-maxlength]").forEach(function (el) {
    var max = Number(el.getAttribute("data-maxlength"));
    var note = document.createElement("span");
    note.className = "help is-error";
    note.setAttribute("aria-live", "polite");
    el.insertAdjacentElement("afterend", note);
    var check = function () {
      var n = el.value.length;
      note.hidden = n <= max;
      note.textContent = n > max ? n.toLocaleString("en") + " characters; at most " +
        max.toLocaleString("en") + ": shorten it" : "";
    };
    el.addEventListener("input", check);
    check();
  });

  // A draft of the story is kept in this browser until it is submitted and accepted, so
  // nothing typed is lost to a refusal (an oversize upload answered before it was read),
  // a crash or a closed tab. The job page forgets it.
  var DRAFT = "anchor-story-draft";
  try {
    if (story && text) {
      var title = story.querySelector("input[name=title]");
      var saved = JSON.parse(window.sessionStorage.getItem(DRAFT) || "null");
      if (saved && !text.value) {
        text.value = saved.text || "";
        if (title && !title.value) title.value = saved.title || "";
        if (typeof update === "function") update();
      }
      var keep = function () {
        window.sessionStorage.setItem(DRAFT, JSON.stringify(
          {text: text.value, title: title ? title.value : ""}));
      };
      text.addEventListener("input", keep);
      if (title) title.addEventListener("input", keep);
    } else if (/^\/jobs\/[0-9a-f]{16}$/.test(window.location.pathname) &&
               document.referrer.indexOf("/jobs/") === -1) {
      window.sessionStorage.removeItem(DRAFT);  // submitted: the job has the text now
    }
  } catch (e) { /* storage off (private mode): the server still hands text back */ }

  // Text boxes grow to their text, so a long sentence is read whole, not scrolled.
  var grow = function (el) {
    el.style.height = "auto";
    el.style.height = (el.scrollHeight + 2) + "px";
  };
  document.querySelectorAll("textarea").forEach(function (el) {
    if (el.id === "article-text") return;  // the article box keeps its size: it can be long
    grow(el);
    el.addEventListener("input", function () { grow(el); });
  });

  if (file && fileCheck) {
    file.addEventListener("change", function () {
      var problem = fileProblem();
      fileCheck.textContent = problem;
      fileCheck.classList.toggle("is-error", !!problem);
    });
  }
})();
