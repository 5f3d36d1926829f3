import Processes

/// Each role's part of the settings: the secrets it is handed (on a socket, once it has made
/// itself non-dumpable; only those its work needs), and how long it may take to stop.
extension ProcessRole {
    public var secrets: [String] {
        switch self {
        // Reads them from its own environment, to hand each child its part.
        case .supervisor: Settings.secretVariables
        // Signs and checks links and sessions, reads MariaDB and the shop's Redis, guards the
        // metrics; never talks SMTP.
        case .responder: ["SECRET_KEY", "SECRET_KEY_FALLBACKS", "MEIDUO_DB_PASSWORD", "SESSION_CACHE_LOCATION", "MEIDUO_METRICS_TOKEN"]
        // Reads MariaDB and talks SMTP; signs and checks nothing.
        case .sender: ["MEIDUO_DB_PASSWORD", "EMAIL_HOST_PASSWORD"]
        }
    }

    /// Whether it signs and checks (links, sessions), and so reads SECRET_KEY and the session
    /// settings.
    var signsAndChecks: Bool { self != .sender }

    /// Seconds a process of this role may take, after SIGTERM, to finish what it holds before
    /// it is killed: the responder a request in flight (its whole read, then its database work);
    /// a sender the message in hand and the recording of its outcome.
    public func stopGrace(_ settings: Settings) -> Double {
        let database = Double(settings.database.connectTimeout + settings.database.readTimeout)
        switch self {
        case .supervisor: return 0
        case .responder: return settings.responder.readTimeout + database
        case .sender:
            let message = if case .smtp(let smtp) = settings.delivery.transport { smtp.timeout } else { 0.0 }
            return message + DeliverySettings.leaseMargin + database
        }
    }
}

/// The secret settings as they cross from the supervisor to a child: `NAME=value` items separated
/// by NUL bytes (which no environment value can hold).
public enum SecretHandover {
    public static func encode(_ variables: [String: String], for role: ProcessRole) -> [UInt8] {
        var bytes: [UInt8] = []
        for name in role.secrets {
            guard let value = variables[name] else { continue }
            bytes += Array("\(name)=\(value)".utf8) + [0]
        }
        return bytes
    }

    public static func decode(_ bytes: [UInt8]) -> [String: String] {
        var secrets: [String: String] = [:]
        for item in bytes.split(separator: 0) {
            guard let equals = item.firstIndex(of: UInt8(ascii: "=")) else { continue }
            secrets[String(decoding: item[..<equals], as: UTF8.self)] = String(decoding: item[(equals + 1)...], as: UTF8.self)
        }
        return secrets
    }
}
