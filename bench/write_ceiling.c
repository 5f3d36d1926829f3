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
#include <fcgiapp.h>
#include <mysql.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include "bench_smtp.h"

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

static void *serve(void *argument) {
    int thread = (int)(long)argument;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "ceiling.%ld.%d", (long)getpid(), thread);
    size_t counter_offset;
    char *message = bench_message(message_bytes, "ceiling@bench.com", prefix, 10, (unsigned)(getpid() * 31 + thread), &counter_offset);

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

    struct smtp smtp;
    smtp_open(&smtp, smtp_port, "EHLO ceiling\r\n");

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
        smtp_deliver(&smtp, "RCPT TO:<ceiling@bench.com>\r\n", message, message_bytes);
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
