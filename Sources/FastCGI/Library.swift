import CFastCGI

public enum FastCGILibrary {
    /// Initialises libfcgi. Call once per process, before any request thread starts.
    /// libfcgi installs its own SIGTERM/SIGUSR1 handlers only where the disposition is still the
    /// default, so a process that manages its own signals must set them up first.
    public static func initialize() throws {
        guard FCGX_Init() == 0 else { throw FastCGIError("FCGX_Init") }
    }
}
