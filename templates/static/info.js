// The user center's email form, the code form, and the state of the verification mail.
//
// PUT /emails/ with the CSRF cookie echoed in X-CSRFToken; when the answer says `reauth` (a
// verified address is being replaced), the password field appears and the next save sends it
// too. POST /emails/verification/code/ with the 6-digit code from the mail. GET /emails/status/ on load and
// after every successful PUT, polled every 2 s while the mail is on its way (queued, sending,
// retrying) and no longer once it is sent or has failed. The save button counts down the
// throttle's `retry_after` for the address it was given for, so a resend is never clicked into
// the throttle, while a different address (a typo corrected) can be saved at once.
// Text goes into the page only through textContent; looks are classes from meiduo-email.css.
(function () {
  "use strict";

  var POLL_MS = 2000;
  var ACTIVE = { queued: true, sending: true, retrying: true };

  var form = document.getElementById("email-form");
  var input = document.getElementById("email-input");
  var button = document.getElementById("email-save");
  var message = document.getElementById("email-message");
  var mailState = document.getElementById("mail-state");
  var reauth = document.getElementById("reauth");
  var password = document.getElementById("reauth-password");
  var codeForm = document.getElementById("code-form");
  var codeInput = document.getElementById("code-input");
  var codeButton = document.getElementById("code-submit");
  var codeMessage = document.getElementById("code-message");
  var saveLabel = button.textContent;

  // ---- messages under the form ----------------------------------------------------------
  function say(node, text, ok) {
    node.textContent = text;
    node.className = ok ? "notice" : "error";
    node.hidden = false;
  }

  function show(text, ok) {
    say(message, text, ok);
  }

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|;\\s*)" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function toLogin() {
    window.location.href = "/login/?next=/info/";
  }

  // ---- the save button and its resend countdown -------------------------------------------
  // One countdown at a time: the address it applies to and when it ends (Date.now() scale).
  var countdown = { address: null, deadline: 0, timer: null };
  var busy = false;

  function remainingSeconds() {
    return Math.max(0, Math.ceil((countdown.deadline - Date.now()) / 1000));
  }

  function renderButton() {
    var waiting = countdown.address !== null && countdown.address === input.value.trim() ? remainingSeconds() : 0;
    if (waiting > 0) {
      button.textContent = "重新发送（" + waiting + "秒）";
      button.disabled = true;
      button.classList.add("counting");
    } else {
      button.textContent = saveLabel;
      button.disabled = busy;
      button.classList.remove("counting");
    }
  }

  function tick() {
    countdown.timer = null;
    if (remainingSeconds() > 0) {
      // Wake up on the next whole-second boundary of the countdown.
      var untilNext = (countdown.deadline - Date.now()) % 1000 || 1000;
      countdown.timer = window.setTimeout(tick, untilNext + 20);
    } else {
      countdown.address = null;
    }
    renderButton();
  }

  // Starts (or corrects) the countdown for ADDRESS: SECONDS from now. A later answer of the
  // server replaces the countdown only when it moves the end earlier or by more than a second
  // later, so the number shown never jumps back up by one from rounding.
  function startCountdown(address, seconds) {
    if (typeof seconds !== "number" || !isFinite(seconds) || !address) { return; }
    var deadline = Date.now() + Math.max(0, Math.round(seconds)) * 1000;
    var same = countdown.address === address && countdown.timer !== null;
    if (same && deadline >= countdown.deadline && deadline <= countdown.deadline + 1500) { return; }
    if (seconds <= 0 && countdown.address !== address) { return; }
    countdown.address = address;
    countdown.deadline = deadline;
    if (countdown.timer !== null) { window.clearTimeout(countdown.timer); }
    countdown.timer = null;
    tick();
  }

  // A verified address with nothing waiting to replace it has no mail to send again.
  function stopCountdown() {
    if (countdown.timer !== null) { window.clearTimeout(countdown.timer); }
    countdown.timer = null;
    countdown.address = null;
    renderButton();
  }

  input.addEventListener("input", renderButton);

  // ---- the address and the state of its verification mail ---------------------------------
  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  // HH:MM in the browser's time zone; with the date in front when it is not today.
  function clock(iso) {
    var when = new Date(iso);
    if (!iso || isNaN(when.getTime())) { return ""; }
    var time = pad(when.getHours()) + ":" + pad(when.getMinutes());
    var now = new Date();
    if (when.getFullYear() !== now.getFullYear() || when.getMonth() !== now.getMonth()
        || when.getDate() !== now.getDate()) {
      time = (when.getMonth() + 1) + "月" + when.getDate() + "日 " + time;
    }
    return time;
  }

  function stateText(data) {
    switch (data.state) {
      case "queued":
      case "sending":
        return "验证邮件发送中…";
      case "sent":
        return "验证邮件已于 " + clock(data.sent_at) + " 发出，请查收";
      case "retrying":
        var why = data.reason ? "（" + data.reason + "）" : "";
        var at = clock(data.next_attempt_at);
        return "发送暂未成功" + why + "，" + (at ? "将于 " + at + " 自动重试" : "稍后将自动重试");
      case "failed":
        // A refusal's reason already says to check the address; other failures are worth a resend.
        var reason = data.reason || "邮件服务暂时出现故障";
        return "验证邮件未能送达：" + reason + (reason.indexOf("检查") >= 0 ? "。" : "，请稍后重新发送。");
      default:
        return "";
    }
  }

  function renderAddress(data) {
    var emailNode = document.getElementById("email");
    var badge = document.getElementById("email-status");
    emailNode.textContent = data.email ? data.email : "未绑定";
    if (!data.email) {
      if (badge) { badge.remove(); }
    } else {
      if (!badge) {
        badge = document.createElement("span");
        badge.id = "email-status";
        emailNode.after(badge);
      }
      badge.className = data.email_active ? "badge ok" : "badge pending";
      badge.textContent = data.email_active ? "已验证" : "待验证";
    }

    // The code field while an address waits to be verified.
    codeForm.hidden = !(data.pending_email || (data.email && !data.email_active));

    var label = document.querySelector("label[for=email-input]");
    if (label) { label.textContent = data.email ? "更换邮箱或重新发送验证邮件" : "绑定邮箱"; }

    var pending = document.getElementById("pending-email");
    if (data.pending_email) {
      if (!pending) {
        pending = document.createElement("div");
        pending.id = "pending-email";
        pending.className = "muted";
        pending.appendChild(document.createTextNode("新邮箱 "));
        var address = document.createElement("span");
        address.id = "pending-address";
        pending.appendChild(address);
        pending.appendChild(document.createTextNode(" 待验证：验证后将替换当前邮箱"));
        mailState.before(pending);
      }
      document.getElementById("pending-address").textContent = data.pending_email;
    } else if (pending) {
      pending.remove();
    }
  }

  var lastState = null;

  function renderState(data) {
    // Once the address is verified (and nothing waits to replace it) the old mail is history.
    var relevant = data.state && (data.pending_email || (data.email && !data.email_active));
    var text = relevant ? stateText(data) : "";
    mailState.textContent = text;
    mailState.className = "mail-state" + (text ? " " + (data.state === "failed" ? "error" : data.state) : "");
    mailState.hidden = !text;
    // "Sent to …" under the form would contradict a mail that did not go out: the state says it.
    lastState = data.state;
    if (troubled() && message.className === "notice") {
      message.hidden = true;
    }
  }

  function troubled() {
    return lastState === "retrying" || lastState === "failed";
  }

  // ---- GET /emails/status/ ------------------------------------------------------------------
  var poll = { timer: null, sequence: 0, active: false };

  function schedule(delay) {
    if (poll.timer !== null) { window.clearTimeout(poll.timer); }
    poll.timer = window.setTimeout(function () { poll.timer = null; refresh(); }, delay);
  }

  // Fetches the status and shows it; answers a promise of whether it was shown. Only the
  // newest request's answer is shown, and polling goes on while the mail is on its way.
  function refresh() {
    var sequence = ++poll.sequence;
    if (poll.timer !== null) { window.clearTimeout(poll.timer); poll.timer = null; }
    return fetch("/emails/status/", {
      method: "GET",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json();
    }).then(function (data) {
      if (sequence !== poll.sequence) { return false; }
      if (data.code === "4101") { toLogin(); return false; }
      if (data.code !== "0") { throw new Error(data.errmsg || "status"); }
      renderAddress(data);
      renderState(data);
      if (data.pending_email || (data.email && !data.email_active)) {
        startCountdown(data.pending_email || data.email, data.retry_after);
      } else {
        stopCountdown();
      }
      poll.active = !!ACTIVE[data.state];
      if (poll.active) { schedule(POLL_MS); }
      return true;
    }).catch(function () {
      // A network hiccup while a mail is on its way: keep asking, a little less often.
      if (sequence === poll.sequence && poll.active) { schedule(POLL_MS * 2); }
      return false;
    });
  }

  // ---- PUT /emails/ ---------------------------------------------------------------------------
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var email = input.value.trim();
    if (!email) { show("请填写邮箱", false); return; }
    if (button.disabled) { return; }
    var body = { email: email };
    if (!reauth.hidden) {
      if (!password.value) { show("请输入登录密码", false); password.focus(); return; }
      body.password = password.value;
    }
    busy = true;
    renderButton();
    fetch("/emails/", {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": cookie("csrftoken") },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json();
    }).then(function (data) {
      if (data.code !== "0" && data.reauth) {
        // The password first: ask for it here, or say how long the back-off holds it.
        reauth.hidden = false;
        password.value = "";
        password.focus();
        var wait = data.code === "4002" && data.retry_after ? "，请在 " + Math.ceil(data.retry_after / 60) + " 分钟后再试" : "";
        show((data.errmsg || "请输入登录密码") + wait, false);
        return;
      }
      if (data.code === "0") {
        reauth.hidden = true;
        password.value = "";
        startCountdown(email, data.retry_after);
        var sentTo = "验证邮件已发送到 " + email + "，请查收并点击邮件中的链接，或在下方输入邮件中的验证码。";
        return refresh().then(function (shown) {
          if (!shown) {
            // No status to show: say what is known from the answer itself.
            renderAddress({ email: email, email_active: false, pending_email: null });
            lastState = null;
          }
          if (!troubled()) { show(sentTo, true); } else { message.hidden = true; }
        });
      } else if (data.code === "4101") {
        toLogin();
      } else if (data.code === "4002") {
        // The throttle, or the mail queue too far behind: either way, wait for the countdown.
        startCountdown(email, data.retry_after);
        show((data.errmsg || "访问过于频繁") + "，请在倒计时结束后重新发送", false);
      } else {
        show(data.errmsg || "保存失败，请稍后再试", false);
      }
    }).catch(function () {
      show("网络错误，请稍后再试", false);
    }).then(function () {
      busy = false;
      renderButton();
    });
  });

  // ---- POST /emails/verification/code/ -------------------------------------------------------
  codeForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = codeInput.value.trim();
    if (!/^[0-9]{6}$/.test(code)) { say(codeMessage, "请输入邮件中的6位数字验证码", false); return; }
    codeButton.disabled = true;
    fetch("/emails/verification/code/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": cookie("csrftoken") },
      body: JSON.stringify({ code: code })
    }).then(function (response) {
      return response.json();
    }).then(function (data) {
      if (data.code === "0") {
        codeInput.value = "";
        codeMessage.hidden = true;
        show(data.errmsg || "邮箱验证成功", true);
        return refresh();
      } else if (data.code === "4101") {
        toLogin();
      } else {
        var left = data.tries_left > 0 ? "，还可尝试 " + data.tries_left + " 次" : "";
        say(codeMessage, (data.errmsg || "验证失败") + left, false);
      }
    }).catch(function () {
      say(codeMessage, "网络错误，请稍后再试", false);
    }).then(function () {
      codeButton.disabled = false;
    });
  });

  refresh();
})();
