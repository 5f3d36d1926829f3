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

    /// The whole content of `path`, nil when it cannot be read (missing, say).
    public static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return try? FileDescriptor(rawValue: fd).readAll()
    }

    /// The names in folder `path` (none when it cannot be read).
    public static func names(in path: String) -> [String] {
        guard let folder = opendir(path) else { return [] }
        return entries(of: folder).sorted()
    }

    /// The names in an open folder stream, `.` and `..` left out; closes the stream.
    static func entries(of folder: OpaquePointer) -> [String] {
        defer { closedir(folder) }
        var names: [String] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public static func remove(_ path: String) {
        unlink(path)
    }

    /// Makes `path` a folder only its owner can enter, unless it exists.
    public static func makeDirectory(_ path: String) throws {
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw SystemError("mkdir \(path)") }
    }
}
