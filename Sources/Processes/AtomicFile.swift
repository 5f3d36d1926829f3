import Glibc

/// Writing a file so that a reader sees all of it or none: into a temporary file beside it,
/// synced, then renamed over the final name.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String, temporary: String) throws {
        let file = try FileDescriptor.create(temporary)
        let written = file.write(bytes)
        let synced = written && fsync(file.rawValue) == 0
        let failure = SystemError(written ? "fsync \(temporary)" : "write \(temporary)")
        file.close()
        guard synced else {
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, path) == 0 else {
            let error = SystemError("rename \(temporary)")
            unlink(temporary)
            throw error
        }
    }

    /// Makes `path` a folder only its owner can enter, unless it exists.
    public static func makeDirectory(_ path: String) throws {
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw SystemError("mkdir \(path)") }
    }
}
