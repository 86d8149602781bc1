// The comment form, enhanced. Without this script the form posts as a
// plain HTML form and the comment service answers with a redirect to the
// post's #comment-pending message. With it:
//   - the form is sent with fetch and the service's JSON answer is shown
//     in place (in a status region, or an alert for a refusal);
//   - "Reply" under a comment moves the form there and sets its parent.
(function () {
  "use strict";
  var form = document.querySelector("form.comment-form");
  if (!form || !window.fetch || !window.URLSearchParams || !window.FormData) return;
  var status = form.querySelector(".comment-form-status");
  var error = form.querySelector(".comment-form-error");
  var replying = form.querySelector(".replying-to");
  var home = document.createComment("comment form");
  form.parentNode.insertBefore(home, form);

  function say(text, failed) {
    status.textContent = failed ? "" : text;
    error.textContent = failed ? text : "";
  }

  function clearInvalid() {
    var marked = form.querySelectorAll("[aria-invalid]");
    for (var i = 0; i < marked.length; i++) marked[i].removeAttribute("aria-invalid");
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.comment-reply") : null;
    if (!link) return;
    var comment = document.getElementById("comment-" + link.getAttribute("data-reply-to"));
    if (!comment) return;
    event.preventDefault();
    form.elements.parent.value = link.getAttribute("data-reply-to");
    replying.querySelector(".replying-name").textContent = link.getAttribute("data-reply-author");
    replying.hidden = false;
    comment.querySelector("article").insertAdjacentElement("afterend", form);
    say("", false);
    form.elements.body.focus();
  });

  replying.querySelector(".cancel-reply").addEventListener("click", function () {
    form.elements.parent.value = "";
    replying.hidden = true;
    home.parentNode.insertBefore(form, home.nextSibling);
    form.elements.body.focus();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    clearInvalid();
    say("Sending your comment…", false);
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(
          function (answer) { return { ok: response.ok, answer: answer }; },
          function () { return { ok: false, answer: { message: "The comment service gave an unexpected answer (" + response.status + "); please try again later." } }; }
        );
      })
      .then(function (result) {
        var answer = result.answer || {};
        if (result.ok) {
          say(answer.message || "Thank you.", false);
          form.elements.body.value = "";
          if (answer.status === "published" && answer.url) {
            window.location.assign(answer.url);
            window.location.reload();
          }
          return;
        }
        say(answer.message || "The comment was not sent.", true);
        var field = answer.field && form.elements[answer.field];
        if (field && field.type !== "hidden") {
          field.setAttribute("aria-invalid", "true");
          field.focus();
        }
      })
      .catch(function () {
        say("The comment could not be sent: check your connection and try again.", true);
      })
      .then(function () {
        button.disabled = false;
      });
  });
})();
