/*
 * The floor of the queue-to-sink latency, for bench/run: the least any outbox design can take
 * from "a mail is queued" to "the sink has it", measured on the same machine in the same run.
 * One sample is one commit (an INSERT of a MESSAGE_BYTES blob into a scratch InnoDB table,
 * autocommit: one round trip, one commit) over a persistent libmariadb connection, followed by
 * one SMTP transaction (MAIL, RCPT, DATA, the message, ".") of a MESSAGE_BYTES message over an
 * SMTP connection kept open, each command waiting for its reply as libcurl does. The clock runs
 * from just before the INSERT is sent to the sink's "250" after the final dot.
 *
 * Prints one line per sample: "<commit µs> <smtp µs> <total µs>". The scratch table lives in
 * its own database (bench_scratch), created and dropped here. Not part of the product.
 *
 *   cc -O2 -o floor floor.c $(pkg-config --cflags --libs libmariadb)
 *   ./floor DB_SOCKET SMTP_PORT SAMPLES MESSAGE_BYTES PAUSE_MS
 */
#include <arpa/inet.h>
#include <mysql.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

static void die_sql(MYSQL *db, const char *what) {
    fprintf(stderr, "floor: %s: %s\n", what, mysql_error(db));
    exit(1);
}

static void sql(MYSQL *db, const char *statement) {
    if (mysql_query(db, statement) != 0) die_sql(db, statement);
}

static int smtp_fd;
static char reply_buffer[4096];
static size_t reply_used;

/* Reads one complete SMTP reply (the last line is "NNN "), fails unless it starts with code. */
static void expect(const char *code) {
    for (;;) {
        /* Is there a complete final line in the buffer? */
        char *line = reply_buffer;
        char *end;
        while ((end = memchr(line, '\n', reply_used - (size_t)(line - reply_buffer))) != NULL) {
            if (end - line >= 4 && line[3] == ' ') {
                if (strncmp(line, code, 3) != 0) {
                    fprintf(stderr, "floor: SMTP: expected %s, got %.*s\n", code, (int)(end - line), line);
                    exit(1);
                }
                size_t rest = reply_used - (size_t)(end + 1 - reply_buffer);
                memmove(reply_buffer, end + 1, rest);
                reply_used = rest;
                return;
            }
            line = end + 1;
        }
        ssize_t got = read(smtp_fd, reply_buffer + reply_used, sizeof reply_buffer - reply_used - 1);
        if (got <= 0) {
            fprintf(stderr, "floor: SMTP connection closed\n");
            exit(1);
        }
        reply_used += (size_t)got;
    }
}

static void send_all(const char *data, size_t length) {
    while (length > 0) {
        ssize_t sent = write(smtp_fd, data, length);
        if (sent <= 0) {
            perror("floor: SMTP write");
            exit(1);
        }
        data += sent;
        length -= (size_t)sent;
    }
}

static void command(const char *text, const char *code) {
    send_all(text, strlen(text));
    expect(code);
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: %s DB_SOCKET SMTP_PORT SAMPLES MESSAGE_BYTES PAUSE_MS\n", argv[0]);
        return 2;
    }
    const char *socket_path = argv[1];
    int port = atoi(argv[2]), samples = atoi(argv[3]), pause_ms = atoi(argv[5]);
    size_t message_bytes = (size_t)atol(argv[4]);
    if (message_bytes < 400) message_bytes = 400;

    /* The message: headers like the service's, a Message-ID the sink logs, base64-looking lines. */
    char *message = malloc(message_bytes + 1);
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int head = snprintf(message, message_bytes + 1,
                        "From: =?utf-8?b?576O5aSa5ZWG5Z+O?= <hmmeiduo@163.com>\r\nTo: floor@bench.com\r\n"
                        "Subject: =?utf-8?b?576O5aSa5ZWG5Z+O6YKu566x6aqM6K+B?=\r\nMessage-ID: <floor.%ld.000000@bench.com>\r\n"
                        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                        "Content-Transfer-Encoding: base64\r\n\r\n",
                        (long)getpid());
    size_t id_offset = (size_t)(strstr(message, ".000000@") - message) + 1;
    srand((unsigned)getpid());
    /* Lines of 76 characters and CRLF up to exactly MESSAGE_BYTES, the last one ending in CRLF. */
    for (size_t i = (size_t)head; i < message_bytes;) {
        size_t remaining = message_bytes - i;
        size_t line = remaining >= 78 ? 76 : remaining - 2;
        if (remaining > 78 && remaining - 78 < 2) line = 75;
        for (size_t k = 0; k < line; k++) message[i++] = alphabet[rand() % 64];
        message[i++] = '\r';
        message[i++] = '\n';
    }
    message[message_bytes] = 0;

    MYSQL *db = mysql_init(NULL);
    if (!mysql_real_connect(db, NULL, "root", NULL, NULL, 0, socket_path, 0)) die_sql(db, "connect");
    sql(db, "CREATE DATABASE IF NOT EXISTS bench_scratch");
    sql(db, "USE bench_scratch");
    sql(db, "DROP TABLE IF EXISTS floor_outbox");
    sql(db, "CREATE TABLE floor_outbox (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, "
            "message MEDIUMBLOB NOT NULL, created_at DATETIME(6) NOT NULL) ENGINE=InnoDB");
    MYSQL_STMT *insert = mysql_stmt_init(db);
    static const char insert_sql[] = "INSERT INTO floor_outbox (message, created_at) VALUES (?, NOW(6))";
    if (mysql_stmt_prepare(insert, insert_sql, sizeof insert_sql - 1) != 0) die_sql(db, "prepare");
    MYSQL_BIND bind;
    memset(&bind, 0, sizeof bind);
    unsigned long length = (unsigned long)message_bytes;
    bind.buffer_type = MYSQL_TYPE_BLOB;
    bind.buffer = message;
    bind.buffer_length = length;
    bind.length = &length;
    if (mysql_stmt_bind_param(insert, &bind) != 0) die_sql(db, "bind");

    smtp_fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(smtp_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(smtp_fd, (struct sockaddr *)&address, sizeof address) != 0) {
        perror("floor: connect to the sink");
        return 1;
    }
    expect("220");
    command("EHLO floor\r\n", "250");

    for (int sample = 0; sample < samples; sample++) {
        char id[7];
        snprintf(id, sizeof id, "%06d", sample % 1000000);
        memcpy(message + id_offset, id, 6);
        long long started = now_us();
        if (mysql_stmt_execute(insert) != 0) die_sql(db, "insert");
        long long committed = now_us();
        command("MAIL FROM:<hmmeiduo@163.com>\r\n", "250");
        command("RCPT TO:<floor@bench.com>\r\n", "250");
        command("DATA\r\n", "354");
        send_all(message, message_bytes);
        command(".\r\n", "250");
        long long delivered = now_us();
        printf("%lld %lld %lld\n", committed - started, delivered - committed, delivered - started);
        fflush(stdout);
        if (pause_ms > 0) usleep((useconds_t)pause_ms * 1000);
    }
    command("QUIT\r\n", "221");
    close(smtp_fd);
    mysql_stmt_close(insert);
    sql(db, "DROP DATABASE bench_scratch");
    mysql_close(db);
    free(message);
    return 0;
}
