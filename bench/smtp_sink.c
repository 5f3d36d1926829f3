/*
 * A fast SMTP sink for the benchmarks: accepts every message on 127.0.0.1:PORT (a thread per
 * connection) and appends "<CLOCK_MONOTONIC ns> <Message-ID> <CLOCK_REALTIME ns> <bytes>\n" to LOG
 * as each one completes, so bench/run can count deliveries, time them (the wall clock against
 * the outbox row's created_at), check that each Message-ID arrives once, and size its own
 * messages like the service's (bytes: the message as sent, CRLFs counted, dot-stuffing not). Python's aiosmtpd tops out near 2,000 messages/s on these
 * machines; this one is not the limit. Not part of the product.
 *
 *   cc -O2 -o smtp_sink smtp_sink.c -lpthread && ./smtp_sink PORT LOG
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int log_fd;

static void reply(int fd, const char *text) {
    size_t length = strlen(text);
    if (write(fd, text, length) != (ssize_t)length) { /* the client went away */ }
}

static void record(const char *message_id, size_t bytes) {
    struct timespec now, wall;
    clock_gettime(CLOCK_MONOTONIC, &now);
    clock_gettime(CLOCK_REALTIME, &wall);
    char line[640];
    int length = snprintf(line, sizeof line, "%lld %s %lld %zu\n",
                          (long long)now.tv_sec * 1000000000LL + now.tv_nsec, message_id,
                          (long long)wall.tv_sec * 1000000000LL + wall.tv_nsec, bytes);
    if (write(log_fd, line, (size_t)length) != length) { /* nothing better to do */ }
}

static void *session(void *argument) {
    int fd = (int)(long)argument;
    char buffer[65536];
    size_t used = 0;
    int in_data = 0;
    size_t data_bytes = 0;
    char message_id[512] = "-";
    reply(fd, "220 sink ESMTP\r\n");
    for (;;) {
        ssize_t got = read(fd, buffer + used, sizeof buffer - used - 1);
        if (got <= 0) break;
        used += (size_t)got;
        char *start = buffer, *end;
        while ((end = memchr(start, '\n', used - (size_t)(start - buffer))) != NULL) {
            *end = 0;
            if (end > start && end[-1] == '\r') end[-1] = 0;
            if (in_data) {
                if (strcmp(start, ".") == 0) {
                    in_data = 0;
                    record(message_id, data_bytes);
                    strcpy(message_id, "-");
                    reply(fd, "250 OK queued\r\n");
                } else {
                    data_bytes += strlen(start) + 2 - (start[0] == '.' ? 1 : 0);
                    if (strncasecmp(start, "Message-ID:", 11) == 0 && message_id[0] == '-') {
                        const char *value = start + 11;
                        while (*value == ' ') value++;
                        snprintf(message_id, sizeof message_id, "%s", value);
                    }
                }
            } else if (strncasecmp(start, "EHLO", 4) == 0) {
                reply(fd, "250-sink\r\n250 8BITMIME\r\n");
            } else if (strncasecmp(start, "DATA", 4) == 0) {
                in_data = 1;
                data_bytes = 0;
                reply(fd, "354 go ahead\r\n");
            } else if (strncasecmp(start, "QUIT", 4) == 0) {
                reply(fd, "221 bye\r\n");
                goto done;
            } else {
                reply(fd, "250 OK\r\n");
            }
            start = end + 1;
        }
        used -= (size_t)(start - buffer);
        memmove(buffer, start, used);
        if (used == sizeof buffer - 1) used = 0; /* an overlong line: drop it */
    }
done:
    close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s PORT LOG\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    log_fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int server = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (log_fd < 0 || bind(server, (struct sockaddr *)&address, sizeof address) != 0 || listen(server, 128) != 0) {
        perror("smtp_sink");
        return 1;
    }
    for (;;) {
        int client = accept(server, NULL, NULL);
        if (client < 0) continue;
        pthread_t thread;
        pthread_create(&thread, NULL, session, (void *)(long)client);
        pthread_detach(thread);
    }
}
