import FastCGI
import Glibc
import HTTP
import Logging
import MariaDB
import Processes
import Settings
import Store

/// The FastCGI responder process: a fixed pool of request threads, each with its own libfcgi
/// request slot and its own MariaDB connection, all accepting on one listening socket.
/// SIGTERM or SIGINT stops accepting, lets requests in flight finish, and exits 0.
public struct Responder {
    private let resources: App.Resources
    private let listener: UnixListener
    private let mailQueued: @Sendable () -> Void
    private let logger = Logger(label: "responder")

    /// `mailQueued` runs after each transaction that queued mail.
    public init(resources: App.Resources, listener: UnixListener, mailQueued: @escaping @Sendable () -> Void) {
        self.resources = resources
        self.listener = listener
        self.mailQueued = mailQueued
    }

    private var settings: Settings { resources.settings }

    public func run() throws -> Int32 {
        let signals = Signals([SIGTERM, SIGINT])
        signals.block()
        Signals.ignoreBrokenPipes()
        try FastCGILibrary.initialize()
        MariaDBLibrary.initialize()
        try listener.setNonBlocking()

        let stop = try StopEvent()
        let threads = (0..<settings.threads).map { _ in
            PThread { [resources, listener, mailQueued, logger] in
                do {
                    try Self.serve(resources: resources, listener: listener, stop: stop, mailQueued: mailQueued, logger: logger)
                } catch {
                    logger.critical("request thread cannot start: \(error)")
                    stop.fire()
                }
            }
        }
        logger.info("responder ready", metadata: ["threads": "\(settings.threads)", "pid": "\(getpid())"])
        _ = signals.wait()
        logger.info("responder stopping: finishing requests in flight")
        stop.fire()
        threads.forEach { $0.join() }
        logger.info("responder stopped")
        return 0
    }

    private static func serve(
        resources: App.Resources, listener: UnixListener, stop: StopEvent, mailQueued: @escaping @Sendable () -> Void, logger: Logger
    ) throws {
        let waiter = try AcceptWaiter(listener: listener, stop: stop)
        let exchange = try Exchange(listener: listener)
        let app = App(database: Database(resources.settings.database), resources: resources, logger: logger, mailQueued: mailQueued)
        while waiter.wait(stop: stop) {
            switch exchange.accept() {
            case .request:
                handle(exchange, app: app, bodyLimit: resources.settings.bodyLimit)
                exchange.finish()
            case .nothingWaiting:
                continue
            case .failed(let code):
                logger.error("accept failed: \(String(cString: strerror(code)))")
                usleep(100_000)
            }
        }
    }

    private static func handle(_ exchange: Exchange, app: App, bodyLimit: Int) {
        var request = Request(
            method: Method(exchange.parameter("REQUEST_METHOD") ?? "GET"),
            path: exchange.parameter("DOCUMENT_URI") ?? "/",
            queryString: exchange.parameter("QUERY_STRING") ?? "",
            contentType: exchange.parameter("CONTENT_TYPE") ?? "",
            csrfHeader: exchange.parameter("HTTP_X_CSRFTOKEN"),
            isSecure: exchange.parameter("HTTPS") == "on",
            cookieHeader: exchange.parameter("HTTP_COOKIE"))
        request.ifNoneMatch = exchange.parameter("HTTP_IF_NONE_MATCH")
        let declaredLength = Int(exchange.parameter("CONTENT_LENGTH") ?? "") ?? 0
        if declaredLength > bodyLimit {
            // Drained, not kept (nginx caps its size), so nginx is not cut off while still sending.
            exchange.discardBody()
            request.bodyTooLarge = true
        } else if declaredLength > 0 {
            request.body = exchange.readBody(limit: declaredLength)
        }
        let response = app.respond(to: request)
        exchange.write(response.serialized(now: Int64(time(nil)), includeBody: request.method != .head))
    }
}
