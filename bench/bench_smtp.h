/*
 * What bench/floor.c and bench/write_ceiling.c share: a mail of the service's shape and size,
 * and an SMTP client on a kept-open loopback connection that waits for each reply, as libcurl
 * does. Static functions, included by each; not part of the product.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct smtp {
    int fd;
    char buffer[4096];
    size_t used;
};

static void smtp_fail(const char *what, const char *detail) {
    fprintf(stderr, "bench SMTP: %s: %s\n", what, detail);
    exit(1);
}

/* Reads one complete reply (its last line is "NNN "), fails unless it starts with code. */
static void smtp_expect(struct smtp *smtp, const char *code) {
    for (;;) {
        char *line = smtp->buffer, *end;
        while ((end = memchr(line, '\n', smtp->used - (size_t)(line - smtp->buffer))) != NULL) {
            if (end - line >= 4 && line[3] == ' ') {
                if (strncmp(line, code, 3) != 0) smtp_fail("unexpected reply", line);
                size_t rest = smtp->used - (size_t)(end + 1 - smtp->buffer);
                memmove(smtp->buffer, end + 1, rest);
                smtp->used = rest;
                return;
            }
            line = end + 1;
        }
        ssize_t got = read(smtp->fd, smtp->buffer + smtp->used, sizeof smtp->buffer - smtp->used - 1);
        if (got <= 0) smtp_fail("read", "connection closed");
        smtp->used += (size_t)got;
    }
}

static void smtp_send_all(struct smtp *smtp, const char *data, size_t length) {
    while (length > 0) {
        ssize_t sent = write(smtp->fd, data, length);
        if (sent <= 0) smtp_fail("write", "failed");
        data += sent;
        length -= (size_t)sent;
    }
}

static void smtp_command(struct smtp *smtp, const char *text, const char *code) {
    smtp_send_all(smtp, text, strlen(text));
    smtp_expect(smtp, code);
}

/* Connects to the sink on loopback, waits for its greeting, says EHLO. */
static void smtp_open(struct smtp *smtp, int port, const char *ehlo) {
    smtp->used = 0;
    smtp->fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(smtp->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(smtp->fd, (struct sockaddr *)&address, sizeof address) != 0) smtp_fail("connect to the sink", "refused");
    smtp_expect(smtp, "220");
    smtp_command(smtp, ehlo, "250");
}

/* One transaction: MAIL, RCPT, DATA, the message, ".". */
static void smtp_deliver(struct smtp *smtp, const char *rcpt, const char *message, size_t length) {
    smtp_command(smtp, "MAIL FROM:<hmmeiduo@163.com>\r\n", "250");
    smtp_command(smtp, rcpt, "250");
    smtp_command(smtp, "DATA\r\n", "354");
    smtp_send_all(smtp, message, length);
    smtp_command(smtp, ".\r\n", "250");
}

/* A message like the service's of exactly BYTES: headers, a Message-ID "<ID.0…0@bench.com>"
 * the sink logs (DIGITS zeros, which the caller overwrites per message at *counter_offset),
 * then base64-looking lines of 76 characters and CRLF. */
static char *bench_message(size_t bytes, const char *to, const char *id, int digits, unsigned seed, size_t *counter_offset) {
    char *message = malloc(bytes + 1);
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int head = snprintf(message, bytes + 1,
                        "From: =?utf-8?b?576O5aSa5ZWG5Z+O?= <hmmeiduo@163.com>\r\nTo: %s\r\n"
                        "Subject: =?utf-8?b?576O5aSa5ZWG5Z+O6YKu566x6aqM6K+B?=\r\nMessage-ID: <%s.%0*d@bench.com>\r\n"
                        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                        "Content-Transfer-Encoding: base64\r\n\r\n",
                        to, id, digits, 0);
    *counter_offset = (size_t)(strstr(message, "@bench.com>") - message) - (size_t)digits;
    for (size_t i = (size_t)head; i < bytes;) {
        size_t remaining = bytes - i;
        size_t line = remaining >= 78 ? 76 : remaining - 2;
        if (remaining > 78 && remaining - 78 < 2) line = 75;
        for (size_t k = 0; k < line; k++) message[i++] = alphabet[rand_r(&seed) % 64];
        message[i++] = '\r';
        message[i++] = '\n';
    }
    message[bytes] = 0;
    return message;
}
