"""Reading verification mails back: from the outbox, parsed by Python's own MIME parser."""
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


def latest_outbox_message(stack, user_id):
    rows = stack.sql("SELECT message FROM meiduo_outbox WHERE user_id = %s ORDER BY id DESC LIMIT 1", user_id)
    assert rows, f"no mail queued for user {user_id}"
    return parse(rows[0][0])
