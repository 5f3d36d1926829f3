import FastCGI
import HTTP
import Instruments
import Logging
import Processes
import Settings
import Store
import Telemetry

/// The FastCGI responder process: a fixed pool of request threads, each with its own libfcgi
/// request slot and its own MariaDB connection, all accepting on one listening socket.
/// SIGTERM or SIGINT stops accepting, lets requests in flight finish, and exits 0.
public struct Responder {
    private let resources: Resources
    private let listener: Listener
    private let telemetry: Telemetry
    private let handover: Handover
    private let logger = Logger(label: "responder")

    /// How often the responder's figures are written for the supervisor to keep if it dies.
    static let publishInterval = 1.0

    /// `handover` is the pipe to the mail senders.
    public init(resources: Resources, listener: Listener, telemetry: Telemetry, handover: Handover) {
        self.resources = resources
        self.listener = listener
        self.telemetry = telemetry
        self.handover = handover
    }

    private var settings: Settings { resources.settings }

    public func run() throws -> Int32 {
        let signals = Signals([Signals.terminate, Signals.interrupt])
        signals.block()
        Signals.ignoreBrokenPipes()
        try FastCGILibrary.initialize()
        Database.prepareProcess()
        try listener.setNonBlocking()

        let stop = try StopEvent()
        let deadlines = RequestDeadlines(seconds: settings.responder.readTimeout)
        let watchdog = PThread { deadlines.watch() }
        let instruments = ResponderInstruments(version: Version.current)
        let refusals = RefusalLog(logger: logger)
        let threads = (0..<settings.responder.threads).map { _ in
            PThread { [resources, listener, telemetry, handover, logger] in
                do {
                    try Self.serve(
                        resources: resources, listener: listener, deadlines: deadlines, stop: stop, telemetry: telemetry,
                        instruments: instruments, refusals: refusals, handover: handover, logger: logger)
                } catch {
                    logger.critical("request thread cannot start: \(error)")
                    stop.fire()
                }
            }
        }
        logger.info("responder ready", metadata: ["threads": "\(settings.responder.threads)", "pid": "\(CurrentProcess.id)"])
        while signals.wait(timeout: Self.publishInterval) == nil {
            telemetry.publish()
        }
        logger.info("responder stopping: finishing requests in flight")
        stop.fire()
        threads.forEach { $0.join() }
        deadlines.stop()
        watchdog.join()
        telemetry.publish()
        logger.info("responder stopped")
        return 0
    }

    private static func serve(
        resources: Resources, listener: Listener, deadlines: RequestDeadlines, stop: StopEvent, telemetry: Telemetry,
        instruments: ResponderInstruments, refusals: RefusalLog, handover: Handover, logger: Logger
    ) throws {
        let waiter = try AcceptWaiter(listener: listener, stop: stop)
        let exchange = try Exchange(listener: listener, deadlines: deadlines, clients: resources.settings.socket.clients)
        let app = App(
            database: Database(resources.settings.database, instruments: instruments.database), resources: resources, telemetry: telemetry,
            instruments: instruments, logger: logger, handover: handover)
        while waiter.wait(stop: stop) {
            switch exchange.accept() {
            case .request:
                handle(exchange, app: app, bodyLimit: resources.settings.responder.bodyLimit)
                exchange.finish()
            case .nothingWaiting:
                continue
            case .refused(let address):
                instruments.connectionsRefused.increment()
                refusals.note(address.map(String.init(describing:)) ?? "an unknown address")
            case .failed(let error):
                logger.error("accept failed: \(error)")
                exchange.pauseAfterFailure()
            }
        }
    }

    private static func handle(_ exchange: Exchange, app: App, bodyLimit: Int) {
        var request = Request(parameter: exchange.parameter)
        if request.contentLength > bodyLimit {
            // Drained, not kept (nginx caps its size), so nginx is not cut off while still sending.
            exchange.discardBody()
            request.body = .refused
        } else if request.contentLength > 0 {
            request.body = .accepted(exchange.readBody(limit: request.contentLength))
        }
        // Cut off before it was whole: the client is gone, and half a request is not acted on.
        guard exchange.requestRead() else { return }
        let response = app.respond(to: request)
        exchange.write(response.serialized(now: Clock.unixSeconds(), includeBody: request.method != .head))
    }
}
