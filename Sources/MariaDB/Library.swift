import CMariaDB

public enum MariaDBLibrary {
    /// Initialises Connector/C. Call once per process, before any thread opens a connection.
    public static func initialize() {
        precondition(mysql_server_init(0, nil, nil) == 0, "mysql_library_init failed")
    }
}
