import Auth
import Foundation
import HTTP
import Instruments
import Logging
import MariaDB
import Processes
import Prometheus
import Service
import Settings
import Store
import Telemetry

/// The real app, driven without sockets: requests built in memory go through the same router,
/// controllers and error renderer as nginx's, against the test MariaDB that `make test`
/// starts (its socket and credentials come in `MEIDUO_TEST_DB_*`). A cookie jar carries what
/// the app sets from one request to the next, as a browser would.
final class TestClient {
    let app: App
    let database: Database
    let settings: Settings
    /// The tests' own connection, to look at rows as they are, outside the app's Store; opened
    /// on first use (some clients are given a database that does not exist).
    private lazy var inspector: Result<MariaDB.Connection, any Error> = {
        let db = settings.database
        return Result {
            try MariaDB.Connection(
                ConnectionOptions(
                    socket: db.socket, host: db.nodes.first?.host, port: UInt32(db.nodes.first?.port ?? db.port), user: db.user,
                    password: db.password, database: db.name,
                    connectTimeout: UInt32(db.connectTimeout), readWriteTimeout: UInt32(db.readTimeout)))
        }
    }()
    private(set) var cookies: [String: String] = [:]
    /// The app's hand-over pipe; the senders' end is read here.
    private let pipe: (read: FileDescriptor, write: FileDescriptor)
    private let senders: Handover

    /// What the app passed to the mail senders since the last call.
    func handedOver() -> [Handover.Record] {
        senders.receive(upTo: 1000)
    }

    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// The settings every client starts from; `overrides` replace single variables.
    static func environment(_ overrides: [String: String] = [:]) throws -> [String: String] {
        let variables = SystemEnvironment.variables()
        guard let socket = variables["MEIDUO_TEST_DB_SOCKET"] else {
            throw Unavailable(description: "ServiceTests need the test MariaDB: run them through `make test` (MEIDUO_TEST_DB_SOCKET is not set)")
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return [
            "SECRET_KEY": "service-tests-secret", "MEIDUO_DB_SOCKET": socket, "MEIDUO_DB_USER": variables["MEIDUO_TEST_DB_USER"] ?? "meiduo",
            "MEIDUO_DB_PASSWORD": variables["MEIDUO_TEST_DB_PASSWORD"] ?? "", "MEIDUO_DB_NAME": variables["MEIDUO_TEST_DB_NAME"] ?? "meiduo",
            "MEIDUO_TEMPLATES": root.appendingPathComponent("templates").path, "MEIDUO_PASSWORD_ITERATIONS": "1000",
            "EMAIL_BACKEND": "file", "MEIDUO_LOG_LEVEL": "error",
        ].merging(overrides) { $1 }
    }

    init(_ overrides: [String: String] = [:]) throws {
        settings = try Settings(Environment(try Self.environment(overrides)))
        let instruments = ResponderInstruments(version: "service-tests")
        database = Database(settings.database, instruments: instruments.database)
        pipe = try FileDescriptor.pipe()
        senders = Handover(pipe: pipe.read)
        let telemetry = Telemetry(registry: PrometheusCollectorRegistry(), directory: NSTemporaryDirectory(), slot: "service-tests")
        app = App(
            database: database, resources: try Resources(settings: settings), telemetry: telemetry, instruments: instruments,
            logger: Logger(label: "service-tests"), handover: Handover(pipe: pipe.write))
    }

    /// Rows as the database holds them now.
    func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [Row] {
        try inspector.get().query(sql, values)
    }

    deinit {
        pipe.read.close()
        pipe.write.close()
    }

    @discardableResult
    func execute(
        _ method: HTTP.Method, _ path: String, query: String = "", body: [UInt8] = [], contentType: String = "",
        csrfHeader: String? = nil, cookies extra: [String: String] = [:], origin: String? = nil, requestID: String = "",
        bodyRefused: Bool = false
    ) -> Response {
        let jar = cookies.merging(extra) { $1 }
        var request = Request(
            method: method, path: path, queryString: query, contentType: contentType, csrfHeader: csrfHeader,
            cookieHeader: jar.isEmpty ? nil : jar.map { "\($0.key)=\($0.value)" }.joined(separator: "; "), body: body)
        request.origin = origin
        request.host = "127.0.0.1:8080"
        request.requestID = requestID
        if bodyRefused { request.body = .refused }
        let response = app.respond(to: request)
        for cookie in response.cookies {
            if cookie.maxAge == 0 { cookies[cookie.name] = nil } else { cookies[cookie.name] = cookie.value }
        }
        return response
    }

    func form(_ fields: [String: String]) -> [UInt8] {
        Array(fields.map { "\($0.key)=\(percentEncoded($0.value))" }.joined(separator: "&").utf8)
    }

    private func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    /// A new user with `password`, made through the store as `user add` would.
    func makeUser(password: String = "Passw0rd!") throws -> (id: Int64, username: String, password: String) {
        let username = "st" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let mobile = "136" + String(format: "%08d", Int.random(in: 0..<100_000_000))
        let hash = PasswordHasher(iterations: 1000).hash(password)
        let id = try database.run { try Users.create(username: username, mobile: mobile, passwordHash: hash, on: $0) }
        return (id, username, password)
    }

    /// Logs `user` in through the login page and its form, as a browser does.
    func logIn(_ user: (id: Int64, username: String, password: String)) throws {
        let page = execute(.get, "/login/")
        guard page.status == .ok, let token = Self.hiddenField("csrfmiddlewaretoken", in: page) else {
            throw Unavailable(description: "the login page has no CSRF field")
        }
        let done = execute(
            .post, "/login/", body: form(["username": user.username, "password": user.password, "csrfmiddlewaretoken": token]),
            contentType: "application/x-www-form-urlencoded")
        guard done.status == .found, cookies["sessionid"] != nil else { throw Unavailable(description: "login failed: \(done.status)") }
    }

    static func hiddenField(_ name: String, in response: Response) -> String? {
        let html = String(decoding: response.body, as: UTF8.self)
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    static func json(_ response: Response) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    static func text(_ response: Response) -> String {
        String(decoding: response.body, as: UTF8.self)
    }
}
