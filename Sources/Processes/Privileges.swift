import Glibc

public enum Privileges {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// When running as root, becomes `user` for good: its primary group, no supplementary groups,
    /// its uid. Answers false (and changes nothing) when not root. Call it after opening what
    /// needs root, such as a socket in a root-owned folder, and before starting children.
    @discardableResult
    public static func drop(to user: SystemAccounts.Account) throws -> Bool {
        guard geteuid() == 0 else { return false }
        guard user.uid != 0 else { throw Failure(description: "MEIDUO_USER must not be root") }
        guard setgroups(0, nil) == 0, setgid(user.gid) == 0, setuid(user.uid) == 0 else {
            throw Failure(description: "cannot become \(user.name): \(String(cString: strerror(errno)))")
        }
        // Dropped for good only if getting root back fails.
        guard setuid(0) != 0 else { throw Failure(description: "still able to regain root after becoming \(user)") }
        return true
    }
}
