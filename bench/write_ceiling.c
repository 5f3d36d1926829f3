/*
 * The write ceiling for bench/run: the least any design can do per request for a durable,
 * delivered mail, on the same cores. A libfcgi responder threaded like the service (THREADS
 * threads on one socket, each with its own FCGX_Request, its own libmariadb connection and its
 * own SMTP connection to the sink, kept open) that, per request, reads the body, commits one
 * autocommit INSERT of a MESSAGE_BYTES blob into a scratch InnoDB table (one round trip, one
 * commit), answers a small JSON, and then delivers a MESSAGE_BYTES message to the sink (MAIL,
 * RCPT, DATA, the message, "." — each command waiting for its reply, as libcurl does) before it
 * takes the next request. Message-IDs start with "ceiling.", which the exactly-once check skips.
 * Built and run by bench/run; not part of the product.
 *
 *   cc -O2 -o write_ceiling write_ceiling.c -lfcgi -lpthread $(pkg-config --cflags --libs libmariadb)
 *   ./write_ceiling SOCKET THREADS DB_SOCKET SMTP_PORT MESSAGE_BYTES
 */
#include <arpa/inet.h>
#include <fcgiapp.h>
#include <mysql.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define BODY "{\"code\":\"0\",\"errmsg\":\"OK\",\"retry_after\":0}"

static int listen_fd, smtp_port;
static const char *db_socket;
static size_t message_bytes;
static char response[256];
static int response_length;
static pthread_mutex_t setup = PTHREAD_MUTEX_INITIALIZER;

static void fail(const char *what, const char *detail) {
    fprintf(stderr, "write_ceiling: %s: %s\n", what, detail);
    exit(1);
}

/* One thread's SMTP connection and its reply buffer. */
struct smtp {
    int fd;
    char buffer[4096];
    size_t used;
};

/* Reads one complete reply (its last line is "NNN "), fails unless it starts with code. */
static void expect(struct smtp *smtp, const char *code) {
    for (;;) {
        char *line = smtp->buffer, *end;
        while ((end = memchr(line, '\n', smtp->used - (size_t)(line - smtp->buffer))) != NULL) {
            if (end - line >= 4 && line[3] == ' ') {
                if (strncmp(line, code, 3) != 0) fail("SMTP reply", line);
                size_t rest = smtp->used - (size_t)(end + 1 - smtp->buffer);
                memmove(smtp->buffer, end + 1, rest);
                smtp->used = rest;
                return;
            }
            line = end + 1;
        }
        ssize_t got = read(smtp->fd, smtp->buffer + smtp->used, sizeof smtp->buffer - smtp->used - 1);
        if (got <= 0) fail("SMTP", "connection closed");
        smtp->used += (size_t)got;
    }
}

static void send_all(struct smtp *smtp, const char *data, size_t length) {
    while (length > 0) {
        ssize_t sent = write(smtp->fd, data, length);
        if (sent <= 0) fail("SMTP", "write failed");
        data += sent;
        length -= (size_t)sent;
    }
}

static void command(struct smtp *smtp, const char *text, const char *code) {
    send_all(smtp, text, strlen(text));
    expect(smtp, code);
}

/* A message like the service's: headers, a Message-ID the sink logs, base64-looking lines of
 * 76 characters up to exactly MESSAGE_BYTES. Answers where the Message-ID's counter sits. */
static char *make_message(int thread, size_t *counter_offset) {
    char *message = malloc(message_bytes + 1);
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int head = snprintf(message, message_bytes + 1,
                        "From: =?utf-8?b?576O5aSa5ZWG5Z+O?= <hmmeiduo@163.com>\r\nTo: ceiling@bench.com\r\n"
                        "Subject: =?utf-8?b?576O5aSa5ZWG5Z+O6YKu566x6aqM6K+B?=\r\nMessage-ID: <ceiling.%ld.%d.0000000000@bench.com>\r\n"
                        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                        "Content-Transfer-Encoding: base64\r\n\r\n",
                        (long)getpid(), thread);
    *counter_offset = (size_t)(strstr(message, ".0000000000@") - message) + 1;
    unsigned seed = (unsigned)(getpid() * 31 + thread);
    for (size_t i = (size_t)head; i < message_bytes;) {
        size_t remaining = message_bytes - i;
        size_t line = remaining >= 78 ? 76 : remaining - 2;
        if (remaining > 78 && remaining - 78 < 2) line = 75;
        for (size_t k = 0; k < line; k++) message[i++] = alphabet[rand_r(&seed) % 64];
        message[i++] = '\r';
        message[i++] = '\n';
    }
    message[message_bytes] = 0;
    return message;
}

static void *serve(void *argument) {
    int thread = (int)(long)argument;
    size_t counter_offset;
    char *message = make_message(thread, &counter_offset);

    pthread_mutex_lock(&setup);
    MYSQL *db = mysql_init(NULL);
    pthread_mutex_unlock(&setup);
    if (!mysql_real_connect(db, NULL, "root", NULL, "bench_ceiling", 0, db_socket, 0)) fail("connect", mysql_error(db));
    MYSQL_STMT *insert = mysql_stmt_init(db);
    static const char insert_sql[] = "INSERT INTO write_ceiling (message, created_at) VALUES (?, NOW(6))";
    if (mysql_stmt_prepare(insert, insert_sql, sizeof insert_sql - 1) != 0) fail("prepare", mysql_error(db));
    MYSQL_BIND bind;
    memset(&bind, 0, sizeof bind);
    unsigned long length = (unsigned long)message_bytes;
    bind.buffer_type = MYSQL_TYPE_BLOB;
    bind.buffer = message;
    bind.buffer_length = length;
    bind.length = &length;
    if (mysql_stmt_bind_param(insert, &bind) != 0) fail("bind", mysql_error(db));

    struct smtp smtp = {.used = 0};
    smtp.fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(smtp.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)smtp_port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(smtp.fd, (struct sockaddr *)&address, sizeof address) != 0) fail("connect to the sink", "refused");
    expect(&smtp, "220");
    command(&smtp, "EHLO ceiling\r\n", "250");

    FCGX_Request request;
    FCGX_InitRequest(&request, listen_fd, 0);
    char body[4096];
    unsigned long sent = 0;
    while (FCGX_Accept_r(&request) == 0) {
        while (FCGX_GetStr(body, sizeof body, request.in) > 0) {
        }
        if (mysql_stmt_execute(insert) != 0) fail("insert", mysql_error(db));
        FCGX_PutStr(response, response_length, request.out);
        FCGX_Finish_r(&request);

        char counter[11];
        snprintf(counter, sizeof counter, "%010lu", sent++ % 10000000000UL);
        memcpy(message + counter_offset, counter, 10);
        command(&smtp, "MAIL FROM:<hmmeiduo@163.com>\r\n", "250");
        command(&smtp, "RCPT TO:<ceiling@bench.com>\r\n", "250");
        command(&smtp, "DATA\r\n", "354");
        send_all(&smtp, message, message_bytes);
        command(&smtp, ".\r\n", "250");
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: %s SOCKET THREADS DB_SOCKET SMTP_PORT MESSAGE_BYTES\n", argv[0]);
        return 2;
    }
    int threads = atoi(argv[2]);
    db_socket = argv[3];
    smtp_port = atoi(argv[4]);
    message_bytes = (size_t)atol(argv[5]);
    if (message_bytes < 400) message_bytes = 400;
    response_length = snprintf(response, sizeof response,
                               "Status: 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                               strlen(BODY), BODY);
    signal(SIGPIPE, SIG_IGN);

    if (mysql_library_init(0, NULL, NULL) != 0) fail("mysql_library_init", "failed");
    MYSQL *db = mysql_init(NULL);
    if (!mysql_real_connect(db, NULL, "root", NULL, NULL, 0, db_socket, 0)) fail("connect", mysql_error(db));
    static const char *schema[] = {
        "CREATE DATABASE IF NOT EXISTS bench_ceiling",
        "DROP TABLE IF EXISTS bench_ceiling.write_ceiling",
        "CREATE TABLE bench_ceiling.write_ceiling (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, "
        "message MEDIUMBLOB NOT NULL, created_at DATETIME(6) NOT NULL) ENGINE=InnoDB",
    };
    for (size_t i = 0; i < sizeof schema / sizeof *schema; i++) {
        if (mysql_query(db, schema[i]) != 0) fail(schema[i], mysql_error(db));
    }
    mysql_close(db);

    FCGX_Init();
    unlink(argv[1]);
    listen_fd = FCGX_OpenSocket(argv[1], 1024);
    if (listen_fd < 0) fail("FCGX_OpenSocket", argv[1]);
    chmod(argv[1], 0666);
    pthread_t ids[256];
    if (threads < 1 || threads > 256) threads = 8;
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, serve, (void *)(long)i);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    return 0;
}
