import Glibc

/// Folders that a process started as root prepares for the user it is about to become, by
/// descriptor and never through a link that user may have planted.
public enum PrivateDirectory {
    /// Makes `path` a folder of `owner`'s only (0700), created or emptied: its last component
    /// must be a real folder (not a link, not a file) owned by this process's user or `owner`;
    /// anything else is refused and left as it is. Entries are unlinked, never followed.
    public static func prepare(_ path: String, owner: SystemAccounts.Account?) throws {
        let (parentPath, name) = split(path)
        let parent = open(parentPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard parent >= 0 else { throw SystemError("open \(parentPath)") }
        defer { close(parent) }
        guard mkdirat(parent, name, 0o700) == 0 || errno == EEXIST else { throw SystemError("mkdir \(path)") }
        let folder = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard folder >= 0 else {
            let code = errno
            if code == ELOOP || code == ENOTDIR { throw SystemError("\(path) is not a folder (a link or a file), refusing to use it", code: code) }
            throw SystemError("open \(path)", code: code)
        }
        defer { close(folder) }
        var info = stat()
        guard fstat(folder, &info) == 0 else { throw SystemError("fstat \(path)") }
        guard info.st_uid == geteuid() || info.st_uid == owner?.uid else {
            throw SystemError("\(path) belongs to uid \(info.st_uid), neither us nor the service's user; refusing to use it", code: EPERM)
        }
        if let owner, fchown(folder, owner.uid, owner.gid) != 0 { throw SystemError("chown \(path)") }
        guard fchmod(folder, 0o700) == 0 else { throw SystemError("chmod \(path)") }
        for entry in try names(folder) where unlinkat(folder, entry, 0) != 0 && errno != ENOENT {
            throw SystemError("remove \(path)/\(entry)")
        }
    }

    /// Refuses the folder of `file` if a user other than root could change or replace it: every
    /// folder on its path must be root's and writable by no one else (a sticky one, like /tmp,
    /// protects root's entries too). Started as root, the service keeps what it prepares for its
    /// user there.
    public static func requireOnlyRootCanChange(folderOf file: String) throws {
        let path = split(file).0
        guard let resolved = realpath(path, nil) else { throw SystemError("\(path)") }
        let full = String(cString: resolved)
        free(resolved)
        let components = full.split(separator: "/").map(String.init)
        var prefix = ""
        for index in -1..<components.count {
            prefix = index < 0 ? "/" : (prefix == "/" ? "" : prefix) + "/" + components[index]
            var info = stat()
            guard lstat(prefix, &info) == 0 else { throw SystemError("stat \(prefix)") }
            let sticky = info.st_mode & S_ISVTX != 0, last = index == components.count - 1
            guard info.st_uid == 0, info.st_mode & 0o022 == 0 || (sticky && !last) else {
                throw SystemError(
                    "\(prefix) can be changed by a user other than root; started as root, the service needs the folder of its socket and metrics (\(full)) and every folder above it to be root's alone",
                    code: EPERM)
            }
        }
    }

    private static func split(_ path: String) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let parent = String(path[..<slash])
        return (parent.isEmpty ? "/" : parent, String(path[path.index(after: slash)...]))
    }

    private static func names(_ folder: Int32) throws -> [String] {
        let copy = dup(folder)
        guard copy >= 0, let stream = fdopendir(copy) else { throw SystemError("read folder") }
        return AtomicFile.entries(of: stream)
    }
}
