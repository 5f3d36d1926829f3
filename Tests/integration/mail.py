"""Reading verification mails back: from the outbox or the file backend's folder, parsed by Python's
own MIME parser."""
import email
import email.policy
import re

LINK = re.compile(r'href="([^"]+)"')


def parse(raw):
    return email.message_from_bytes(bytes(raw), policy=email.policy.strict)


def bodies(message):
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


def verification_link(message):
    html = bodies(message)["text/html"]
    return LINK.search(html).group(1).replace("&amp;", "&")


def latest_outbox_message(stack, user_id, kind="verification"):
    """The newest mail of `kind` queued for the user, parsed (see `outbox_mails`)."""
    mails = [mail for mail in outbox_mails(stack, user_id) if mail[0] == kind]
    assert mails, f"no {kind} mail queued for user {user_id}"
    return mails[-1][2]


def outbox_mails(stack, user_id):
    """(kind, recipient, message, request_id) of every mail queued for the user, oldest first.
    The message is the body in the outbox while it waits or, once it is sent (the body leaves
    the database then), the .eml the file backend wrote, parsed either way."""
    rows = stack.sql(
        "SELECT o.kind, o.recipient, o.message_id, COALESCE(b.message, o.message), o.request_id FROM meiduo_outbox AS o"
        " LEFT JOIN meiduo_outbox_bodies AS b ON b.id = o.id WHERE o.user_id = %s ORDER BY o.id", user_id)
    return [(kind, recipient, parse(raw if raw is not None else delivered_file(stack, message_id).read_bytes()), request_id)
            for kind, recipient, message_id, raw, request_id in rows]


def delivered_file(stack, message_id):
    """Where the file backend put a message: named by its Message-ID, as FileTransport names it."""
    path = stack.mail_dir / (re.sub(r"[^A-Za-z0-9.\-_@]", "_", message_id)[:200] + ".eml")
    assert path.exists(), f"{message_id} was recorded sent but {path} is not there"
    return path


UNDO_ANCHOR = re.compile(r'<a\b[^>]*\bid="undo-link"[^>]*>')
CODE_TEXT = re.compile(r"验证码：(\d{6})(?!\d)")
CODE_HTML = re.compile(r'<strong\b[^>]*\bid="verification-code"[^>]*>\s*(\d{6})\s*</strong>')


def undo_link(message):
    """The "this wasn't me" link of a notice: the href of its HTML's id="undo-link" anchor,
    which its text body carries too."""
    texts = bodies(message)
    anchor = UNDO_ANCHOR.search(texts["text/html"])
    assert anchor, "the notice's HTML has no id=\"undo-link\" anchor"
    link = LINK.search(anchor.group(0)).group(1).replace("&amp;", "&")
    assert link in texts["text/plain"], f"the text body does not carry the undo link {link}"
    return link


def verification_code(message):
    """The 6-digit code of a verification mail: after 验证码： in its text body, and the same in
    its HTML's id="verification-code"."""
    texts = bodies(message)
    text = CODE_TEXT.search(texts["text/plain"])
    assert text, "no 验证码：NNNNNN in the text body"
    html = CODE_HTML.search(texts["text/html"])
    assert html, "no id=\"verification-code\" in the HTML body"
    assert html.group(1) == text.group(1), (text.group(1), html.group(1))
    return text.group(1)
