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
#include <mysql.h>
#include <time.h>

#include "bench_smtp.h"

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

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: %s DB_SOCKET SMTP_PORT SAMPLES MESSAGE_BYTES PAUSE_MS\n", argv[0]);
        return 2;
    }
    const char *socket_path = argv[1];
    int port = atoi(argv[2]), samples = atoi(argv[3]), pause_ms = atoi(argv[5]);
    size_t message_bytes = (size_t)atol(argv[4]);
    if (message_bytes < 400) message_bytes = 400;

    char prefix[64];
    snprintf(prefix, sizeof prefix, "floor.%ld", (long)getpid());
    size_t id_offset;
    char *message = bench_message(message_bytes, "floor@bench.com", prefix, 6, (unsigned)getpid(), &id_offset);

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

    struct smtp smtp;
    smtp_open(&smtp, port, "EHLO floor\r\n");

    for (int sample = 0; sample < samples; sample++) {
        char id[7];
        snprintf(id, sizeof id, "%06d", sample % 1000000);
        memcpy(message + id_offset, id, 6);
        long long started = now_us();
        if (mysql_stmt_execute(insert) != 0) die_sql(db, "insert");
        long long committed = now_us();
        smtp_deliver(&smtp, "RCPT TO:<floor@bench.com>\r\n", message, message_bytes);
        long long delivered = now_us();
        printf("%lld %lld %lld\n", committed - started, delivered - committed, delivered - started);
        fflush(stdout);
        if (pause_ms > 0) usleep((useconds_t)pause_ms * 1000);
    }
    smtp_command(&smtp, "QUIT\r\n", "221");
    close(smtp.fd);
    mysql_stmt_close(insert);
    sql(db, "DROP DATABASE bench_scratch");
    mysql_close(db);
    free(message);
    return 0;
}
