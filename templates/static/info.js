// The user center's email form: PUT /emails/ with the CSRF cookie echoed in X-CSRFToken.
(function () {
  var form = document.getElementById("email-form");
  var input = document.getElementById("email-input");
  var button = document.getElementById("email-save");
  var message = document.getElementById("email-message");

  function show(text, ok) {
    message.textContent = text;
    message.className = ok ? "notice" : "error";
    message.hidden = false;
  }

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|;\\s*)" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var email = input.value.trim();
    if (!email) { show("请填写邮箱", false); return; }
    button.disabled = true;
    fetch("/emails/", {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": cookie("csrftoken") },
      body: JSON.stringify({ email: email })
    }).then(function (response) {
      return response.json();
    }).then(function (data) {
      if (data.code === "0") {
        document.getElementById("email").textContent = email;
        var status = document.getElementById("email-status");
        if (!status) {
          status = document.createElement("span");
          status.id = "email-status";
          document.getElementById("email").after(status);
        }
        status.className = "badge pending";
        status.textContent = "待验证";
        show("验证邮件已发送到 " + email + "，请查收并点击邮件中的链接。", true);
      } else if (data.code === "4101") {
        window.location.href = "/login/?next=/info/";
      } else {
        show(data.errmsg || "保存失败，请稍后再试", false);
      }
    }).catch(function () {
      show("网络错误，请稍后再试", false);
    }).then(function () {
      button.disabled = false;
    });
  });
})();
