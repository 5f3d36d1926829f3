/// The child processes `serve` starts, and the secret settings each is handed (on a socket, once
/// it has made itself non-dumpable): only those its work needs.
public enum ChildRole: String, Sendable, CaseIterable {
    /// Signs and checks links and sessions, reads MariaDB and the shop's Redis, guards the
    /// metrics; never talks SMTP.
    case responder
    /// Reads MariaDB and talks SMTP; signs and checks nothing.
    case sender

    public var secrets: [String] {
        switch self {
        case .responder: ["SECRET_KEY", "SECRET_KEY_FALLBACKS", "MEIDUO_DB_PASSWORD", "SESSION_CACHE_LOCATION", "MEIDUO_METRICS_TOKEN"]
        case .sender: ["MEIDUO_DB_PASSWORD", "EMAIL_HOST_PASSWORD"]
        }
    }
}

/// The secret settings as they cross from the supervisor to a child: `NAME=value` items separated
/// by NUL bytes (which no environment value can hold).
public enum SecretHandover {
    public static func encode(_ variables: [String: String], for role: ChildRole) -> [UInt8] {
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
